package market_test

import (
	"bytes"
	"context"
	"testing"

	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// FuzzImportListings feeds arbitrary CSV rows under the template header:
// the import must never panic, must fail only with Invalid errors (a file
// it cannot read), and must account for every row.
func FuzzImportListings(f *testing.F) {
	f.Add(achievementRow("F-1", "精密零件表面缺陷在线检测系统"))
	f.Add(demandRow("", "注塑件缩痕消除工艺需求"))
	f.Add("科技成果,,=cmd|' /C calc'!A0,,,,,,,,,,,,,,\n")
	f.Add("技术需求,\"x\ny\",标题标题,描述,,、、,电子信息/,C,0,、,面议,面议,2020-02-30,0,,,\n")
	f.Add("\"unterminated,科技成果\n")
	svc, owner := importSetup(f, dbtest.Open(f, sqldb.SQLite), "320583")
	f.Fuzz(func(t *testing.T, rows string) {
		data := []byte(importHeader + rows)
		res, err := svc.ImportListings(context.Background(), owner, bytes.NewReader(data), int64(len(data)), "fuzz.csv",
			market.ImportOptions{Mode: market.ImportValidRows}, nil)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("ImportListings() error = %v, want only Invalid", err)
			}
			return
		}
		if res.Rows == 0 && res.ProblemRows == 1 {
			return // a header problem: invalid UTF-8 made the whole file read as GB18030
		}
		if res.Valid+res.ProblemRows != res.Rows {
			t.Errorf("result %+v: valid + problem rows != rows", res)
		}
	})
}
