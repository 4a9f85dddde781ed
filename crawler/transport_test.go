package crawler

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"io"
	"net/http"
	"testing"
)

// decode runs body, sent with the given Content-Encoding, through the
// transport's decoding and reads at most limit bytes of the result.
func decode(coding string, body []byte, limit int64) ([]byte, error) {
	resp := &http.Response{Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))}
	if coding != "" {
		resp.Header.Set("Content-Encoding", coding)
	}
	decodeBody(context.Background(), resp, 0)
	defer resp.Body.Close()
	return io.ReadAll(io.LimitReader(resp.Body, limit))
}

func compressed(coding string, data []byte) []byte {
	var b bytes.Buffer
	var w io.WriteCloser
	switch coding {
	case "gzip":
		w = gzip.NewWriter(&b)
	case "zlib":
		w = zlib.NewWriter(&b)
	case "flate":
		w, _ = flate.NewWriter(&b, flate.DefaultCompression)
	}
	_, _ = w.Write(data)
	_ = w.Close()
	return b.Bytes()
}

func TestDecodeBody(t *testing.T) {
	page := []byte(`<a href="/x">x</a>`)
	for _, tc := range []struct {
		coding string
		body   []byte
	}{
		{"", page},
		{"identity", page},
		{"gzip", compressed("gzip", page)},
		{"x-gzip", compressed("gzip", page)},
		{"GZip", compressed("gzip", page)},
		{"deflate", compressed("zlib", page)},
		{"deflate", compressed("flate", page)},
		{"gzip, gzip", compressed("gzip", compressed("gzip", page))},
		{"deflate, gzip", compressed("gzip", compressed("zlib", page))},
		{"identity, gzip", compressed("gzip", page)},
	} {
		got, err := decode(tc.coding, tc.body, 1<<20)
		if err != nil || !bytes.Equal(got, page) {
			t.Errorf("%q: %q, %v; want %q", tc.coding, got, err, page)
		}
	}
}

// FuzzDecodeBody: whatever a server sends under whatever encoding, the
// decoded body neither panics nor outgrows the reader's limit, and
// gzip data decodes to what was compressed.
func FuzzDecodeBody(f *testing.F) {
	f.Add("gzip", []byte("<p>hello</p>"))
	f.Add("deflate", []byte{0x78, 0x9c, 0x03, 0x00})
	f.Add("gzip, deflate", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00"))
	f.Add("br", []byte("\x1b\x00"))
	f.Add("x-gzip,,identity", []byte{})
	f.Add(" , ", []byte("plain"))
	f.Fuzz(func(t *testing.T, coding string, body []byte) {
		const limit = 1 << 16
		got, _ := decode(coding, body, limit)
		if len(got) > limit {
			t.Fatalf("read %d bytes past a limit of %d", len(got), limit)
		}
		if len(body) <= limit {
			if out, err := decode("gzip", compressed("gzip", body), limit+1); err != nil || !bytes.Equal(out, body) {
				t.Fatalf("gzip round trip: %q, %v", out, err)
			}
		}
	})
}
