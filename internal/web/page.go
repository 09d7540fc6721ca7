package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/i18n"
	"kechuang/internal/region"
)

// page is what every template receives.
type page struct {
	Lang     string
	Actor    account.Actor
	CSRF     string
	Title    string
	Active   string // nav key of the current section
	Path     string
	Flash    string
	FlashErr string
	Nav      []navItem
	Version  string
	// Unread is the count of the user's unread notices, for the header badge.
	Unread int
	// NoHomeRegion tells a signed-in user that the instance has no home
	// region yet, so that pages which list its counties can say what to
	// configure instead of showing empty pickers.
	NoHomeRegion bool
	Data         any
}

func (s *Server) newPage(r *http.Request, titleKey, active string, data any) page {
	st := state(r)
	p := page{
		Lang: st.lang, Actor: st.actor, CSRF: st.csrf, Title: i18n.T(st.lang, titleKey),
		Active: active, Path: r.URL.RequestURI(), Nav: s.navFor(st.actor), Version: s.Version, Data: data,
		NoHomeRegion: s.HomeRegion == "" && st.actor.LoggedIn(),
	}
	if st.actor.LoggedIn() {
		// The badge is a convenience: a failed count shows none rather than
		// failing the page.
		p.Unread, _ = s.Notices.UnreadCount(r.Context(), st.actor)
	}
	return p
}

// render writes a page, buffering it so that a template error becomes a
// clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t, ok := s.pages[name]
	if !ok {
		panic("web: no template " + name) // a programmer error: every page is parsed at start-up
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.writeError(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

var errNoBlock = errors.New("no such block")

// renderBlock writes one named block of a page, for htmx partial updates.
func (s *Server) renderBlock(w http.ResponseWriter, r *http.Request, name, block string, p page) {
	t, ok := s.pages[name]
	if !ok || t.Lookup(block) == nil {
		s.writeError(w, r, errNoBlock)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, p); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// pager is the paging of a list page.
type pager struct {
	Page, PerPage, Total int
	// Query is the current query string without "page", for page links.
	Query string
}

func newPager(r *http.Request, page, perPage, total int) pager {
	q := r.URL.Query()
	q.Del("page")
	return pager{Page: page, PerPage: perPage, Total: total, Query: q.Encode()}
}

// Pages is the number of pages, at least 1.
func (p pager) Pages() int {
	if p.Total == 0 || p.PerPage == 0 {
		return 1
	}
	return (p.Total + p.PerPage - 1) / p.PerPage
}

// Link returns the URL query of page n.
func (p pager) Link(n int) string {
	v, _ := url.ParseQuery(p.Query)
	v.Set("page", strconv.Itoa(n))
	return "?" + v.Encode()
}

// countyChoices lists the counties the actor works in, for pickers and
// filters: its own county when its region is one, else the counties of its
// city, or of the home region for users without a region (none when the
// instance has no home region).
func (s *Server) countyChoices(r *http.Request) []region.Region {
	a := state(r).actor
	if region.ValidCode(a.Region) && region.LevelOf(a.Region) == region.County {
		if c, err := s.Regions.Get(r.Context(), a.Region); err == nil {
			return []region.Region{c}
		}
		return nil
	}
	home := a.Region
	if home == "" {
		home = s.HomeRegion
	}
	if home == "" {
		return nil
	}
	kids, err := s.Regions.Children(r.Context(), home)
	if err != nil {
		return nil
	}
	return kids
}

// regionChoices lists the home region and its counties, for region pickers.
func (s *Server) regionChoices(r *http.Request) []region.Region {
	if s.HomeRegion == "" {
		return nil
	}
	home, err := s.Regions.Get(r.Context(), s.HomeRegion)
	if err != nil {
		return nil
	}
	kids, err := s.Regions.Children(r.Context(), s.HomeRegion)
	if err != nil {
		return []region.Region{home}
	}
	return append([]region.Region{home}, kids...)
}

// regionNames caches the names pages show for region codes; the tables do
// not change while the server runs.
var regionNames struct {
	full, short sync.Map // code → name
}

// regionLabel is the region's full name ("江苏省 苏州市 昆山市").
func (s *Server) regionLabel(ctx context.Context, code string) string {
	if v, ok := regionNames.full.Load(code); ok {
		return v.(string)
	}
	name := s.Regions.FullName(ctx, code)
	regionNames.full.Store(code, name)
	return name
}

// regionShortName is the region's own name ("昆山市"), for facet labels.
func (s *Server) regionShortName(ctx context.Context, code string) string {
	if v, ok := regionNames.short.Load(code); ok {
		return v.(string)
	}
	name := code
	if reg, err := s.Regions.Get(ctx, code); err == nil {
		name = reg.Name
	}
	regionNames.short.Store(code, name)
	return name
}

// barChart is the ECharts option of a horizontal bar chart, one labelled
// bar per name, top to bottom: labelWidth is the room for the names, axis
// the options of the value axis (its name, minInterval).
func barChart[V int | float64](names []string, values []V, labelWidth int, axis map[string]any) string {
	xAxis := map[string]any{"type": "value"}
	for k, v := range axis {
		xAxis[k] = v
	}
	b, _ := json.Marshal(map[string]any{
		"tooltip": map[string]any{"trigger": "axis"},
		"grid":    map[string]any{"left": labelWidth, "right": 40, "top": 10, "bottom": 30},
		"xAxis":   xAxis,
		"yAxis":   map[string]any{"type": "category", "data": names, "inverse": true},
		"series":  []any{map[string]any{"type": "bar", "data": values, "label": map[string]any{"show": true, "position": "right"}}},
	})
	return string(b)
}

// funcs are the template functions every page may use; modules add their
// own (module.Funcs).
func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"t": i18n.T,
		// policyHint explains the password policy in force.
		"policyHint": func(lang string) string { return i18n.T(lang, "login.policy."+s.Accounts.Policy().Name) },
		"static":     func(name string) string { return s.static.url(name) },
		"roleName": func(lang string, r account.Role) string {
			return i18n.T(lang, "role."+string(r))
		},
		"regionName": func(code string) string {
			if code == "" {
				return ""
			}
			return s.regionLabel(context.Background(), code)
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(chinaTime).Format("2006-01-02 15:04")
		},
		"add": func(a, b int) int { return a + b },
		// percent shows a probability in [0, 1] as a whole percentage.
		"percent": func(p float64) string { return strconv.Itoa(int(math.Round(p*100))) + "%" },
		// args builds the argument of a partial from key, value pairs.
		"args": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("args: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("args: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"fileSize": func(n int64) string {
			if n >= 1<<20 {
				return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
			}
			return strconv.FormatInt((n+1023)/1024, 10) + " KB"
		},
		"money":    formatMoney,
		"moneyWan": formatWan,
		"numPtr": func(v *float64) string {
			if v == nil {
				return "—"
			}
			return strconv.FormatFloat(*v, 'f', -1, 64)
		},
		"intPtr": func(v *int) string {
			if v == nil {
				return "—"
			}
			return strconv.Itoa(*v)
		},
	}
}

// chinaTime is the zone pages show times in; the database keeps UTC.
var chinaTime = time.FixedZone("CST", 8*3600)
