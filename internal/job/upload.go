package job

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// PackUpload makes the payload of a job that works on an uploaded file: a
// 4-byte length, header as JSON (the file name and the user's options),
// then the file itself. UnpackUpload reverses it.
func PackUpload(header any, file []byte) ([]byte, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return nil, fmt.Errorf("pack upload header: %w", err)
	}
	out := make([]byte, 4, 4+len(h)+len(file))
	binary.BigEndian.PutUint32(out, uint32(len(h)))
	out = append(out, h...)
	return append(out, file...), nil
}

// UnpackUpload reads a payload made by PackUpload into header and returns
// the file.
func UnpackUpload(payload []byte, header any) ([]byte, error) {
	if len(payload) < 4 {
		return nil, fmt.Errorf("upload payload too short")
	}
	n := int(binary.BigEndian.Uint32(payload))
	if 4+n > len(payload) {
		return nil, fmt.Errorf("upload payload header length %d out of range", n)
	}
	if err := json.Unmarshal(payload[4:4+n], header); err != nil {
		return nil, fmt.Errorf("upload payload header: %w", err)
	}
	return payload[4+n:], nil
}
