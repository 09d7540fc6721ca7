package notice

import "kechuang/internal/audit"

func init() { audit.RegisterActions("notice.read") }
