package region_test

import (
	"context"
	"testing"

	"kechuang/data"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/dbtest"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

func TestContains(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, scope, code string
		want              bool
	}{
		{name: "whole instance", scope: "", code: "320505", want: true},
		{name: "city contains its county", scope: "320500", code: "320505", want: true},
		{name: "city excludes another city's county", scope: "320500", code: "320105", want: false},
		{name: "county contains itself", scope: "320505", code: "320505", want: true},
		{name: "county excludes sibling", scope: "320505", code: "320506", want: false},
		{name: "county excludes its city-level record", scope: "320505", code: "320500", want: false},
		{name: "province contains county", scope: "320000", code: "320583", want: true},
		{name: "record without region is outside a scope", scope: "320500", code: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := region.Contains(tt.scope, tt.code); got != tt.want {
				t.Errorf("Contains(%q, %q) = %v, want %v", tt.scope, tt.code, got, tt.want)
			}
		})
	}
}

func TestLoadShippedTables(t *testing.T) {
	t.Parallel()
	rs, err := region.Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]region.Region{}
	for _, r := range rs {
		byCode[r.Code] = r
	}
	want := map[string]region.Region{
		"320000": {Code: "320000", Name: "江苏省", Level: region.Province},
		"320500": {Code: "320500", Name: "苏州市", Level: region.City, ParentCode: "320000"},
		"320583": {Code: "320583", Name: "昆山市", Level: region.County, ParentCode: "320500"},
	}
	for code, w := range want {
		if got := byCode[code]; got != w {
			t.Errorf("region %s = %+v, want %+v", code, got, w)
		}
	}
	if len(rs) < 3000 {
		t.Errorf("Load() returned %d regions, want the whole country (> 3000)", len(rs))
	}
}

func TestServiceEnsureLoaded(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := region.NewService(db)
		n, err := s.EnsureLoaded(ctx, data.FS)
		if err != nil || n < 3000 {
			t.Fatalf("EnsureLoaded() = %d, %v", n, err)
		}
		if n, err := s.EnsureLoaded(ctx, data.FS); err != nil || n != 0 {
			t.Errorf("second EnsureLoaded() = %d, %v; want 0, nil", n, err)
		}
		kids, err := s.Children(ctx, "320500")
		if err != nil || len(kids) != 10 {
			t.Errorf("Children(苏州市) = %d regions, %v; want 10", len(kids), err)
		}
		if got := s.FullName(ctx, "320583"); got != "江苏省 苏州市 昆山市" {
			t.Errorf("FullName(320583) = %q", got)
		}
	})
}

func TestHomeRegionSetting(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := region.NewService(db)
		if _, err := s.EnsureLoaded(ctx, data.FS); err != nil {
			t.Fatal(err)
		}
		if got, err := s.HomeRegion(ctx); err != nil || got != "" {
			t.Fatalf("HomeRegion() on a fresh database = %q, %v; want \"\", nil", got, err)
		}
		bad := []struct {
			name, code, key string
		}{
			{name: "not a code", code: "苏州", key: "region.code_format"},
			{name: "unknown code", code: "999900", key: "region.not_found"},
			{name: "province", code: "320000", key: "region.home_level"},
		}
		for _, tt := range bad {
			err := s.SetHomeRegion(ctx, audit.System, tt.code)
			e := apperr.As(err)
			if e == nil || len(e.Fields) != 1 || e.Fields[0].Field != "home_region" || e.Fields[0].Key != tt.key {
				t.Errorf("%s: SetHomeRegion(%q) = %v; want a home_region field error %s", tt.name, tt.code, err, tt.key)
			}
		}
		for _, code := range []string{"320500", "320500", "320583"} {
			if err := s.SetHomeRegion(ctx, audit.System, code); err != nil {
				t.Fatalf("SetHomeRegion(%s) = %v", code, err)
			}
			if got, err := s.HomeRegion(ctx); err != nil || got != code {
				t.Errorf("HomeRegion() after SetHomeRegion(%s) = %q, %v", code, got, err)
			}
		}
		// Two changes, two audit rows: setting the same code again is no change.
		_, n, err := audit.NewService(db).FindEntries(ctx, audit.Actor{Role: audit.ReaderRole}, audit.Filter{Action: "home_region.set"})
		if err != nil || n != 2 {
			t.Errorf("home_region.set audit rows = %d, %v; want 2", n, err)
		}
	})
}
