package job

import "kechuang/internal/audit"

func init() {
	audit.RegisterActions("job.enqueue", "job.done", "job.fail", "job.interrupted")
}
