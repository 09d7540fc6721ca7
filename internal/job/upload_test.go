package job

import (
	"bytes"
	"testing"
)

func TestPackUploadRoundTrip(t *testing.T) {
	t.Parallel()
	type header struct {
		Filename string `json:"filename"`
		Mode     string `json:"mode"`
	}
	file := []byte("统一社会信用代码,企业名称\n")
	p, err := PackUpload(header{"企业.csv", "valid"}, file)
	if err != nil {
		t.Fatal(err)
	}
	var h header
	got, err := UnpackUpload(p, &h)
	if err != nil || h != (header{"企业.csv", "valid"}) || !bytes.Equal(got, file) {
		t.Errorf("UnpackUpload = %+v, %q, %v", h, got, err)
	}
	for _, bad := range [][]byte{nil, {0, 0}, {0, 0, 0, 9, '{'}} {
		if _, err := UnpackUpload(bad, &h); err == nil {
			t.Errorf("UnpackUpload(%v) = nil error", bad)
		}
	}
}
