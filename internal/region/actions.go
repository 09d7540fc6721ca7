package region

import "kechuang/internal/audit"

func init() { audit.RegisterActions("home_region.set") }
