package indicator

import "kechuang/internal/audit"

func init() { audit.RegisterActions("indicator.report", "indicator.remind") }
