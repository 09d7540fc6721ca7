//go:build !unix

package cultivation

import "time"

// processCPU is not measured outside unix; callers then report wall time only.
func processCPU() time.Duration { return 0 }
