package notice

import "testing"

func TestArity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, msg string
		want      int
		wantErr   bool
	}{
		{name: "none", msg: "暂无消息", want: 0},
		{name: "sequential", msg: "您的%s“%s”已撤回", want: 2},
		{name: "escaped percent", msg: "良率 %s%%", want: 1},
		{name: "explicit indexes, one unused", msg: "都属于“%[2]s”（%[3]s%%）%[4]s", want: 4},
		{name: "explicit then sequential", msg: "%[2]s %s", want: 3},
		{name: "v verb", msg: "%v", want: 1},
		{name: "number verb", msg: "%d 条未读", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := arity(tt.msg)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("arity(%q) = %d, %v; want %d, error %v", tt.msg, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
