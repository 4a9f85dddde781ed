package redistest_test

import (
	"context"
	"testing"

	"github.com/hopaudit/hopaudit/cluster/redistest"
)

func TestStart(t *testing.T) {
	s := redistest.Start(t)
	rdb := s.Client(t)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	if n := s.UsedMemory(t, rdb); n <= 0 {
		t.Errorf("used_memory %d", n)
	}
	s.Kill()
	if err := rdb.Ping(context.Background()).Err(); err == nil {
		t.Error("the server answers after Kill")
	}
}
