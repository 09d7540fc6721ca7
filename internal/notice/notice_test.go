package notice_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/i18n"
	"kechuang/internal/notice"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// newUsers creates one user per name and returns them as actors.
func newUsers(t *testing.T, db *sqldb.DB, names ...string) []account.Actor {
	t.Helper()
	ctx := context.Background()
	rs := region.NewService(db)
	if _, err := rs.EnsureLoaded(ctx, data.FS); err != nil {
		t.Fatal(err)
	}
	accts := account.NewService(db, rs, account.Config{Hash: account.HashParams{Memory: 64, Time: 1, Threads: 1}})
	var out []account.Actor
	for _, name := range names {
		u, err := accts.CreateUser(ctx, account.System, account.NewUser{Username: name, DisplayName: name,
			Role: account.RoleEnterprise, RegionCode: "320505", Password: "Kechuang-2026"})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		out = append(out, account.Actor{UserID: u.ID, Username: name, Role: u.Role, Region: u.RegionCode})
	}
	return out
}

// send writes m in a transaction of its own.
func send(t *testing.T, db *sqldb.DB, m notice.Message) {
	t.Helper()
	if err := db.InTx(context.Background(), func(tx *sqldb.Tx) error { return notice.Send(context.Background(), tx, m) }); err != nil {
		t.Fatalf("send %s: %v", m.Kind, err)
	}
}

// returned is the notice market sends when a reviewer returns a listing.
func returned(to int64, title, reason string) notice.Message {
	return notice.Message{To: to, Kind: "listing.return", Key: "market.notice.returned",
		Args: []notice.Arg{notice.Code("market.kind.achievement"), notice.Text(title)},
		Body: notice.Code("market.notice.reason", notice.Text(reason)), Link: "/market/listings/7"}
}

func TestSendCommitsWithTheCallersTransaction(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		u := newUsers(t, db, "owner")[0]
		svc := notice.NewService(db, nil)
		failed := errors.New("the write failed")
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			if err := notice.Send(ctx, tx, returned(u.UserID, "回滚的成果", "理由")); err != nil {
				t.Fatal(err)
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Fatalf("InTx = %v, want the write's error", err)
		}
		if n, _ := svc.UnreadCount(ctx, u); n != 0 {
			t.Fatalf("after a rolled-back write: %d unread, want 0", n)
		}
		send(t, db, returned(u.UserID, "提交的成果", "理由"))
		box, err := svc.Inbox(ctx, u, i18n.Chinese, notice.Filter{})
		if err != nil || box.Total != 1 || box.Unread != 1 || box.Items[0].Title != "您的科技成果“提交的成果”被退回，请修改后重新提交" {
			t.Fatalf("after a committed write: %+v, %v", box, err)
		}
	})
}

func TestInboxRendersInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		u := newUsers(t, db, "owner")[0]
		svc := notice.NewService(db, nil)
		// A notice written before notices kept keys: finished Chinese text
		// and no key. It reads as stored, in every language.
		if _, err := db.ExecContext(ctx, `INSERT INTO notices (user_id, kind, title, body, link, created_at)
			VALUES (?, 'listing.approve', '您的科技成果“旧成果”已审核通过并发布', '旧正文', '/market/listings/1', ?)`,
			u.UserID, sqldb.At(time.Now())); err != nil {
			t.Fatal(err)
		}
		// A key since removed from the catalogs must not show as a raw key.
		if _, err := db.ExecContext(ctx, `INSERT INTO notices (user_id, kind, title, message_key, message_args, created_at)
			VALUES (?, 'gone', '', 'market.notice.no_such_message', '[]', ?)`, u.UserID, sqldb.At(time.Now())); err != nil {
			t.Fatal(err)
		}
		send(t, db, returned(u.UserID, "一种检测系统", "请补充专利证书号"))
		// A code inside a code: the deal action is a catalog word too.
		send(t, db, notice.Message{To: u.UserID, Kind: "deal.assign-broker", Key: "market.notice.deal_step",
			Args: []notice.Arg{notice.Text("一种检测系统"), notice.Code("market.deal_action.assign-broker")},
			Body: notice.Code("market.deal_broker_note", notice.Text("王经纪")), Link: "/market/deals/3"})
		type line struct{ Kind, Title, Body, Link string }
		tests := []struct {
			lang string
			want []line
		}{
			{i18n.Chinese, []line{
				{"deal.assign-broker", "交易《一种检测系统》：指派经纪人", "指派技术经纪人：王经纪", "/market/deals/3"},
				{"listing.return", "您的科技成果“一种检测系统”被退回，请修改后重新提交", "退回理由：请补充专利证书号", "/market/listings/7"},
				{"gone", "（此消息的内容已无法显示）", "", ""},
				{"listing.approve", "您的科技成果“旧成果”已审核通过并发布", "旧正文", "/market/listings/1"},
			}},
			{i18n.English, []line{
				{"deal.assign-broker", "Deal “一种检测系统”: Assign broker", "Broker assigned: 王经纪", "/market/deals/3"},
				{"listing.return", "Your achievement “一种检测系统” was returned; please revise and resubmit", "Reason: 请补充专利证书号", "/market/listings/7"},
				{"gone", "(this notice can no longer be shown)", "", ""},
				{"listing.approve", "您的科技成果“旧成果”已审核通过并发布", "旧正文", "/market/listings/1"},
			}},
		}
		for _, tt := range tests {
			t.Run(tt.lang, func(t *testing.T) {
				box, err := svc.Inbox(ctx, u, tt.lang, notice.Filter{})
				if err != nil {
					t.Fatal(err)
				}
				var got []line
				for _, n := range box.Items {
					got = append(got, line{n.Kind, n.Title, n.Body, n.Link})
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("Inbox(%s) (-want +got):\n%s", tt.lang, diff)
				}
			})
		}
	})
}

func TestInboxPagesNewestFirst(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		users := newUsers(t, db, "owner", "other")
		u, other := users[0], users[1]
		svc := notice.NewService(db, nil)
		at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		for i := 1; i <= 25; i++ {
			m := returned(u.UserID, fmt.Sprintf("成果%02d", i), "理由")
			m.At = at.Add(time.Duration(i) * time.Minute)
			send(t, db, m)
		}
		send(t, db, returned(other.UserID, "他人的成果", "理由"))
		tests := []struct {
			name      string
			f         notice.Filter
			wantPage  int
			wantPer   int
			wantFirst string
			wantLen   int
		}{
			{name: "default first page", f: notice.Filter{}, wantPage: 1, wantPer: 20, wantFirst: "成果25", wantLen: 20},
			{name: "second page", f: notice.Filter{Page: 2}, wantPage: 2, wantPer: 20, wantFirst: "成果05", wantLen: 5},
			{name: "small pages", f: notice.Filter{Page: 3, PerPage: 10}, wantPage: 3, wantPer: 10, wantFirst: "成果05", wantLen: 5},
			{name: "past the end", f: notice.Filter{Page: 9}, wantPage: 9, wantPer: 20, wantLen: 0},
			{name: "bad page and size clamped", f: notice.Filter{Page: -1, PerPage: 1000}, wantPage: 1, wantPer: 100, wantFirst: "成果25", wantLen: 25},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				box, err := svc.Inbox(ctx, u, i18n.Chinese, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if box.Total != 25 || box.Unread != 25 || box.Page != tt.wantPage || box.PerPage != tt.wantPer || len(box.Items) != tt.wantLen {
					t.Fatalf("Inbox(%+v) = total %d unread %d page %d per %d items %d; want 25 25 %d %d %d", tt.f,
						box.Total, box.Unread, box.Page, box.PerPage, len(box.Items), tt.wantPage, tt.wantPer, tt.wantLen)
				}
				for i := 1; i < len(box.Items); i++ {
					if box.Items[i].ID >= box.Items[i-1].ID || box.Items[i].CreatedAt.After(box.Items[i-1].CreatedAt) {
						t.Errorf("item %d is not older than item %d", i, i-1)
					}
				}
				if tt.wantLen > 0 && box.Items[0].Title != "您的科技成果“"+tt.wantFirst+"”被退回，请修改后重新提交" {
					t.Errorf("first item = %q, want %s's", box.Items[0].Title, tt.wantFirst)
				}
			})
		}
		if _, err := svc.Inbox(ctx, account.Anonymous, i18n.Chinese, notice.Filter{}); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("the public's inbox: %v, want Unauthenticated", err)
		}
	})
}

func TestMarkRead(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		users := newUsers(t, db, "owner", "other")
		u, other := users[0], users[1]
		svc := notice.NewService(db, nil)
		for range 3 {
			send(t, db, returned(u.UserID, "成果", "理由"))
		}
		send(t, db, returned(other.UserID, "他人的成果", "理由"))
		mine, _ := svc.Inbox(ctx, u, i18n.Chinese, notice.Filter{})
		theirs, _ := svc.Inbox(ctx, other, i18n.Chinese, notice.Filter{})

		if _, err := svc.MarkRead(ctx, other, mine.Items[0].ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another user marks my notice: %v, want NotFound", err)
		}
		if _, err := svc.MarkRead(ctx, u, theirs.Items[0].ID+1000); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("mark a notice that does not exist: %v, want NotFound", err)
		}
		if _, err := svc.MarkRead(ctx, account.Anonymous, mine.Items[0].ID); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("the public marks a notice: %v, want Unauthenticated", err)
		}
		for range 2 { // marking twice changes nothing more
			link, err := svc.MarkRead(ctx, u, mine.Items[0].ID)
			if err != nil || link != "/market/listings/7" {
				t.Fatalf("MarkRead(own) = %q, %v; want the notice's link", link, err)
			}
		}
		box, _ := svc.Inbox(ctx, u, i18n.Chinese, notice.Filter{})
		if box.Unread != 2 || box.Items[0].Unread() || !box.Items[1].Unread() {
			t.Errorf("after marking the newest read: unread %d, items %v %v", box.Unread, box.Items[0].Unread(), box.Items[1].Unread())
		}
		if err := svc.MarkAllRead(ctx, u); err != nil {
			t.Fatal(err)
		}
		if n, _ := svc.UnreadCount(ctx, u); n != 0 {
			t.Errorf("after mark all read: %d unread, want 0", n)
		}
		if n, _ := svc.UnreadCount(ctx, other); n != 1 {
			t.Errorf("another user's unread after my mark all read = %d, want 1", n)
		}
		if n, _ := svc.UnreadCount(ctx, account.Anonymous); n != 0 {
			t.Errorf("the public's unread = %d, want 0", n)
		}
		// One audit row for the single notice and one for the rest; the
		// repeated mark changed nothing and wrote nothing.
		var audits int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'notice.read' AND actor_id = ?",
			u.UserID).Scan(&audits); err != nil || audits != 2 {
			t.Errorf("notice.read audit rows = %d, %v; want 2", audits, err)
		}
	})
}

func TestSendRefusesBrokenMessages(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		u := newUsers(t, db, "owner")[0]
		ok := returned(u.UserID, "成果", "理由")
		tests := []struct {
			name   string
			change func(m *notice.Message)
		}{
			{"no receiver", func(m *notice.Message) { m.To = 0 }},
			{"no kind", func(m *notice.Message) { m.Kind = "" }},
			{"no key", func(m *notice.Message) { m.Key = "" }},
			{"unknown key", func(m *notice.Message) { m.Key = "market.notice.no_such" }},
			{"too few arguments", func(m *notice.Message) { m.Args = m.Args[:1] }},
			{"too many arguments", func(m *notice.Message) { m.Args = append(m.Args, notice.Text("多余")) }},
			{"unknown code argument", func(m *notice.Message) { m.Args[0] = notice.Code("market.kind.no_such") }},
			{"code argument missing its own argument", func(m *notice.Message) { m.Body = notice.Code("market.notice.reason") }},
			{"number verb", func(m *notice.Message) { m.Key, m.Args = "notice.unread_count", []notice.Arg{notice.Text("3")} }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				m := ok
				m.Args = append([]notice.Arg(nil), ok.Args...)
				tt.change(&m)
				err := db.InTx(ctx, func(tx *sqldb.Tx) error { return notice.Send(ctx, tx, m) })
				if err == nil {
					t.Errorf("Send(%+v) = nil, want an error", m)
				}
			})
		}
		// The unchanged message is fine, and none of the broken ones was written.
		send(t, db, ok)
		if n, _ := notice.NewService(db, nil).UnreadCount(ctx, u); n != 1 {
			t.Errorf("notices written = %d, want only the good one", n)
		}
	})
}

func TestSentCountsAKindSince(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		users := newUsers(t, db, "owner", "other")
		at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		for i, m := range []notice.Message{
			{To: users[0].UserID, Kind: "match.new", At: at.Add(-25 * time.Hour)},
			{To: users[0].UserID, Kind: "match.new", At: at.Add(-2 * time.Hour)},
			{To: users[0].UserID, Kind: "match.new", At: at.Add(-time.Hour)},
			{To: users[0].UserID, Kind: "listing.return", At: at.Add(-time.Hour)},
			{To: users[1].UserID, Kind: "match.new", At: at.Add(-time.Hour)},
		} {
			m.Key, m.Args = "market.notice.submitted", []notice.Arg{notice.Code("market.kind.demand"), notice.Text(fmt.Sprint("需求", i))}
			send(t, db, m)
		}
		n, err := notice.Sent(ctx, db, users[0].UserID, "match.new", at.Add(-24*time.Hour))
		if err != nil || n != 2 {
			t.Errorf("Sent(match.new, last 24h) = %d, %v; want 2", n, err)
		}
	})
}
