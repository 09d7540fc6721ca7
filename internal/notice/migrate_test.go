package notice_test

import (
	"context"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/i18n"
	"kechuang/internal/notice"
	"kechuang/internal/sqldb"
)

// TestOldNoticesSurviveTheMigration upgrades a database that holds a
// notice written with finished Chinese text (before notices kept keys) and
// reads it afterwards: it shows as stored, in either language.
func TestOldNoticesSurviveTheMigration(t *testing.T) {
	t.Parallel()
	for _, d := range []sqldb.Dialect{sqldb.SQLite, sqldb.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := dbtest.OpenEmpty(t, d)
			migrations, err := sqldb.Migrations()
			if err != nil {
				t.Fatal(err)
			}
			// Apply the schema as it was before notices kept keys.
			var keys *sqldb.Migration
			for i, m := range migrations {
				if m.Name == "notice_messages" {
					keys = &migrations[i]
					break
				}
				if _, err := db.ExecContext(ctx, m.SQL[d]); err != nil {
					t.Fatalf("migration %04d: %v", m.Version, err)
				}
			}
			if keys == nil {
				t.Fatal("no notice_messages migration")
			}
			// The owner is written as the schema of then holds users: the
			// account service of today needs tables of later migrations.
			now := sqldb.At(time.Now())
			var id int64
			err = db.InTx(ctx, func(tx *sqldb.Tx) error {
				var err error
				id, err = tx.InsertID(ctx, `INSERT INTO users (username, role, region_code, password_hash, created_at, updated_at)
					VALUES ('owner', 'enterprise', '320505', 'x', ?, ?)`, now, now)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			u := account.Actor{UserID: id, Username: "owner", Role: account.RoleEnterprise, Region: "320505"}
			if _, err := db.ExecContext(ctx, `INSERT INTO notices (user_id, kind, title, body, link, created_at)
				VALUES (?, 'listing.return', '您的科技成果“旧成果”被退回，请修改后重新提交', '退回理由：请补充证书', '/market/listings/3', ?)`,
				u.UserID, sqldb.At(time.Now())); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, keys.SQL[d]); err != nil {
				t.Fatalf("migration %04d_%s: %v", keys.Version, keys.Name, err)
			}
			svc := notice.NewService(db, nil)
			for _, lang := range i18n.Languages {
				box, err := svc.Inbox(ctx, u, lang, notice.Filter{})
				if err != nil || box.Total != 1 || box.Unread != 1 {
					t.Fatalf("Inbox(%s) after the migration = %+v, %v", lang, box, err)
				}
				if n := box.Items[0]; n.Title != "您的科技成果“旧成果”被退回，请修改后重新提交" || n.Body != "退回理由：请补充证书" ||
					n.Link != "/market/listings/3" || n.Kind != "listing.return" {
					t.Errorf("old notice in %s = %+v, want it as stored", lang, n)
				}
			}
			// New notices live next to it.
			send(t, db, returned(u.UserID, "新成果", "理由"))
			if n, _ := svc.UnreadCount(ctx, u); n != 2 {
				t.Errorf("unread after a new notice = %d, want 2", n)
			}
		})
	}
}
