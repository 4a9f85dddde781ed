package rules

import "testing"

func TestBrokenLinkFixture(t *testing.T) { testFixture(t, BrokenLink) }
