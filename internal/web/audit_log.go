package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/cultivation"
	"kechuang/internal/i18n"
	"kechuang/internal/market"
	"kechuang/internal/sheet"
)

// The audit log reads in the auditor's language (#10 item 9): actions by
// their catalog names, objects by name with a link where the page exists
// and the auditor may open it, before/after as a table of labelled fields.

type auditData struct {
	Rows         []auditRow
	Filter       audit.Filter
	From         string
	To           string
	Pager        pager
	ActionGroups []actionGroup
	ObjectTypes  []option
	Verification *audit.Verification
	Verified     bool // the page follows a verification the auditor ran
	Export       string
	// VerifyNext brings the auditor back to this view after verifying.
	VerifyNext string
}

// auditRow is one audit row ready to show.
type auditRow struct {
	audit.Entry
	ActionLabel string
	RoleLabel   string
	ObjectLabel string // the object's type
	ObjectName  string
	ObjectLink  string
	Changes     []fieldChange
}

// fieldChange is one field of the before/after summary.
type fieldChange struct {
	Label         string
	Before, After string
	Changed       bool
}

type actionGroup struct {
	Label   string
	Prefix  string
	Actions []option
}

type option struct{ Value, Label string }

// auditObjectTypes are the object types rows name, in display order.
var auditObjectTypes = []string{"user", "listing", "deal", "contract", "enterprise", "county_target", "import", "job",
	"notice", "audit_verification"}

func auditFilter(r *http.Request) (audit.Filter, string, string, error) {
	q := newQuery(r)
	f := audit.Filter{Actor: q.Text("actor"), Action: q.Text("action"), ObjectType: q.Text("object_type"),
		ObjectID: q.Text("object_id"), From: q.Date("from", chinaTime)}
	f.Page, f.PerPage = q.Page(50, 200)
	if t := q.Date("to", chinaTime); !t.IsZero() {
		f.To = t.AddDate(0, 0, 1) // the "to" day is included
	}
	return f, q.Text("from"), q.Text("to"), q.Err()
}

// handleAuditLog shows the audit log to the auditor, with filters, paging
// and the last verification of the chain.
func (s *Server) handleAuditLog(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, from, to, err := auditFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	entries, total, err := s.Audit.FindEntries(r.Context(), st.actor.Audit(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Normalize()
	data := auditData{Rows: s.auditRows(r.Context(), st, entries), Filter: f, From: from, To: to,
		Pager: newPager(r, f.Page, f.PerPage, total), ActionGroups: actionGroups(st.lang), ObjectTypes: objectTypeOptions(st.lang),
		Verified: r.URL.Query().Get("verified") == "1"}
	q := r.URL.Query()
	q.Del("page")
	q.Del("verified")
	data.Export = "/audit/export.xlsx?" + q.Encode()
	q.Set("verified", "1")
	data.VerifyNext = "/audit?" + q.Encode()
	if v, err := s.Audit.LastVerification(r.Context(), st.actor.Audit()); err == nil {
		data.Verification = &v
	} else if !apperr.Is(err, apperr.NotFound) {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "audit/log", s.newPage(r, "audit.title", "audit", data))
}

// handleAuditVerify walks the chain now, for the auditor, and shows the
// outcome on the log page.
func (s *Server) handleAuditVerify(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Audit.Verify(r.Context(), state(r).actor.Audit()); err != nil {
		s.writeError(w, r, err)
		return
	}
	redirectBack(w, r, "/audit?verified=1")
}

// auditExportLimit caps one export; a longer period is exported in parts.
const auditExportLimit = 100000

// handleAuditExport writes the rows the filters select (every page, at most
// auditExportLimit) as .xlsx, and records that the log was exported.
func (s *Server) handleAuditExport(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, from, to, err := auditFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.PerPage = 200
	var rows [][]any
	for f.Page = 1; len(rows) < auditExportLimit; f.Page++ {
		entries, total, err := s.Audit.FindEntries(r.Context(), st.actor.Audit(), f)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, row := range s.auditRows(r.Context(), st, entries) {
			var changes []string
			for _, c := range row.Changes {
				switch {
				case c.Before != "" && c.After != "":
					changes = append(changes, c.Label+"："+c.Before+" → "+c.After)
				case c.After != "":
					changes = append(changes, c.Label+"："+c.After)
				default:
					changes = append(changes, c.Label+"："+c.Before+" → —")
				}
			}
			object := row.ObjectName
			if object == "" && row.ObjectID != "" {
				object = "#" + row.ObjectID
			}
			rows = append(rows, []any{row.At.In(chinaTime), row.ActorName, row.RoleLabel, row.ActionLabel, row.ObjectLabel,
				object, row.ObjectID, strings.Join(changes, "\n"), row.ClientAddr, row.RequestID})
		}
		if f.Page*f.PerPage >= total {
			break
		}
	}
	if len(rows) > auditExportLimit {
		rows = rows[:auditExportLimit]
	}
	t := func(key string) string { return i18n.T(st.lang, key) }
	var buf bytes.Buffer
	err = sheet.WriteXLSX(&buf, sheet.Sheet{Name: t("audit.title"),
		Header: []string{t("audit.at"), t("audit.actor"), t("field.role"), t("audit.action"), t("audit.object_type"),
			t("audit.object"), t("audit.object_id"), t("audit.summary"), t("audit.client_addr"), t("audit.request_id")},
		Rows: rows, ColWidths: []float64{18, 14, 14, 22, 12, 30, 10, 60, 16, 18}})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Audit.RecordExport(r.Context(), st.actor.Audit(), len(rows), map[string]string{"actor": f.Actor,
		"action": f.Action, "object_type": f.ObjectType, "from": from, "to": to}); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, t("audit.title")+"-"+time.Now().In(chinaTime).Format("20060102")+".xlsx", buf.Bytes())
}

// auditRows prepares entries for the page: names and links for objects
// (one lookup per listing shown), labels for actions, roles and fields.
func (s *Server) auditRows(ctx context.Context, st *reqState, entries []audit.Entry) []auditRow {
	lang := st.lang
	listings := map[string]*market.Listing{}
	out := make([]auditRow, 0, len(entries))
	for _, e := range entries {
		row := auditRow{Entry: e, ActionLabel: actionLabel(lang, e.Action), RoleLabel: roleLabel(lang, e.ActorRole),
			ObjectLabel: objectTypeLabel(lang, e.ObjectType), ObjectName: e.ObjectName}
		if e.ObjectType == "listing" && s.Market != nil {
			l, seen := listings[e.ObjectID]
			if !seen {
				if id, err := strconv.ParseInt(e.ObjectID, 10, 64); err == nil {
					if got, err := s.Market.GetListing(ctx, st.actor, id); err == nil {
						l = &got
					}
				}
				listings[e.ObjectID] = l
			}
			// Linked only while the listing exists and the auditor may
			// open its page; named as it was called at the time.
			if l != nil {
				row.ObjectLink = market.Link(l.ID)
				if row.ObjectName == "" {
					row.ObjectName = l.Title
				}
			}
		}
		row.Changes = s.fieldChanges(lang, e.ObjectType, e.Summary)
		out = append(out, row)
	}
	return out
}

// fieldChanges turns the summary JSON {"before": {…}, "after": {…}} into
// rows of labelled fields, in a stable order.
func (s *Server) fieldChanges(lang, objectType, summary string) []fieldChange {
	if summary == "" {
		return nil
	}
	var sum struct {
		Before, After any
	}
	if err := json.Unmarshal([]byte(summary), &sum); err != nil {
		return []fieldChange{{Label: i18n.T(lang, "audit.summary"), After: summary}}
	}
	before, after := flatten(sum.Before), flatten(sum.After)
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var out, changed []fieldChange
	for _, k := range names {
		b, okB := before[k]
		a, okA := after[k]
		c := fieldChange{Label: fieldLabel(lang, k)}
		if okB {
			c.Before = s.fieldValue(lang, objectType, k, b)
		}
		if okA {
			c.After = s.fieldValue(lang, objectType, k, a)
		}
		c.Changed = okB && okA && c.Before != c.After
		out = append(out, c)
		if c.Changed {
			changed = append(changed, c)
		}
	}
	// A change shows the fields that changed; a creation, every field.
	if len(changed) > 0 {
		return changed
	}
	return out
}

// flatten turns a summary side into field → value, one level of nesting
// written as "parent.child" (an enterprise year's figures).
func flatten(v any) map[string]any {
	out := map[string]any{}
	m, ok := v.(map[string]any)
	if !ok {
		if v != nil {
			out["value"] = v
		}
		return out
	}
	for k, x := range m {
		if sub, ok := x.(map[string]any); ok && len(sub) > 0 {
			for sk, sx := range sub {
				out[k+"."+sk] = sx
			}
			continue
		}
		out[k] = x
	}
	return out
}

// fieldLabel names a summary field: audit.field.<key>, then the form field
// label field.<key>, then the registry's indicator labels; a nested key is
// "parent · child".
func fieldLabel(lang, key string) string {
	for _, k := range []string{"audit.field." + key, "field." + key} {
		if i18n.Has(k) {
			return i18n.T(lang, k)
		}
	}
	if l := cultivation.FieldLabel(key); l != key && l != "" {
		return l
	}
	if parent, child, ok := strings.Cut(key, "."); ok {
		return fieldLabel(lang, parent) + " · " + fieldLabel(lang, child)
	}
	return key
}

// fieldValue shows one value: codes by their names, yes/no for booleans,
// lists joined, times in China time.
func (s *Server) fieldValue(lang, objectType, key string, v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case bool:
		if x {
			return i18n.T(lang, "audit.yes")
		}
		return i18n.T(lang, "audit.no")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, s.fieldValue(lang, objectType, key, e))
		}
		if len(parts) == 0 {
			return "—"
		}
		return strings.Join(parts, "、")
	case map[string]any:
		var keys []string
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fieldLabel(lang, k)+" "+s.fieldValue(lang, objectType, k, x[k]))
		}
		return strings.Join(parts, "，")
	case string:
		return s.codeName(lang, objectType, key, x)
	}
	return fmt.Sprint(v)
}

// codeName names the codes the summaries store.
func (s *Server) codeName(lang, objectType, key, v string) string {
	if v == "" {
		return "—"
	}
	var candidates []string
	switch key {
	case "role":
		candidates = []string{"role." + v}
	case "state":
		if objectType == "deal" {
			candidates = []string{"market.deal_state." + v}
		} else {
			candidates = []string{"market.state." + v}
		}
	case "kind", "candidate_kind":
		candidates = []string{"market.kind." + v, "audit.job_kind." + v}
	case "reason":
		candidates = []string{"market.match.reason." + v}
	case "region_code":
		if name := s.regionLabel(context.Background(), v); name != "" {
			return name
		}
	case "modes", "band":
		if s.Market != nil {
			ref := s.Market.Reference()
			if key == "modes" {
				return ref.ModeName(v)
			}
			return ref.BandName(v)
		}
	case "mode":
		candidates = []string{"import.mode_" + v}
	case "expires_at", "at", "created_at", "updated_at", "starts_at", "checked_in_at":
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			if t.IsZero() {
				return "—"
			}
			return t.In(chinaTime).Format("2006-01-02 15:04")
		}
	}
	if prefix, ok := eventCodes[objectType]; ok && (key == "state" || key == "kind" || key == "outcome") {
		candidates = append([]string{prefix + v, "event.kind." + v, "event.outcome." + v}, candidates...)
	}
	for _, k := range candidates {
		if i18n.Has(k) {
			return i18n.T(lang, k)
		}
	}
	return v
}

// eventCodes are the catalog prefixes of the states of the events
// module's objects (package event).
var eventCodes = map[string]string{"event": "event.state.", "event_registration": "event.reg_state.",
	"event_meeting": "event.meeting_state."}

func actionLabel(lang, action string) string {
	if k := "audit.action." + action; i18n.Has(k) {
		return i18n.T(lang, k)
	}
	return action
}

func roleLabel(lang, role string) string {
	if k := "role." + role; role != "" && i18n.Has(k) {
		return i18n.T(lang, k)
	}
	if role == "anonymous" {
		return i18n.T(lang, "audit.anonymous")
	}
	return role
}

func objectTypeLabel(lang, t string) string {
	if t == "" {
		return ""
	}
	if k := "audit.object." + t; i18n.Has(k) {
		return i18n.T(lang, k)
	}
	return t
}

// actionGroups offers the registered actions by object, each group led by
// an option for the whole group (a prefix such as "listing.").
func actionGroups(lang string) []actionGroup {
	var out []actionGroup
	byPrefix := map[string]int{}
	for _, a := range audit.Actions() {
		prefix, _, _ := strings.Cut(a, ".")
		i, ok := byPrefix[prefix]
		if !ok {
			i = len(out)
			byPrefix[prefix] = i
			out = append(out, actionGroup{Label: i18n.T(lang, "audit.group."+prefix), Prefix: prefix + "."})
		}
		out[i].Actions = append(out[i].Actions, option{Value: a, Label: actionLabel(lang, a)})
	}
	return out
}

func objectTypeOptions(lang string) []option {
	var out []option
	for _, t := range auditObjectTypes {
		out = append(out, option{Value: t, Label: objectTypeLabel(lang, t)})
	}
	return out
}

type securityData struct {
	Events []securityRow
	Filter audit.SecurityFilter
	Kinds  []option
	Pager  pager
}

type securityRow struct {
	audit.SecurityEvent
	KindLabel string
	RoleLabel string
}

func securityFilter(r *http.Request) (audit.SecurityFilter, error) {
	q := newQuery(r)
	f := audit.SecurityFilter{Kind: q.Enum("kind", audit.EventKinds...), Actor: q.Text("actor"), ClientAddr: q.Text("client_addr")}
	f.Page, f.PerPage = q.Page(50, 200)
	return f, q.Err()
}

// handleSecurityEvents shows the refused requests, counted per actor,
// address and minute, to the auditor.
func (s *Server) handleSecurityEvents(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := securityFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	events, total, err := s.Audit.FindSecurityEvents(r.Context(), st.actor.Audit(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	pf := audit.Filter{Page: f.Page, PerPage: f.PerPage}
	pf.Normalize()
	data := securityData{Filter: f, Pager: newPager(r, pf.Page, pf.PerPage, total)}
	for _, k := range audit.EventKinds {
		data.Kinds = append(data.Kinds, option{Value: k, Label: i18n.T(st.lang, "audit.event."+k)})
	}
	for _, e := range events {
		data.Events = append(data.Events, securityRow{SecurityEvent: e, KindLabel: i18n.T(st.lang, "audit.event."+e.Kind),
			RoleLabel: roleLabel(st.lang, e.ActorRole)})
	}
	s.render(w, r, http.StatusOK, "audit/security", s.newPage(r, "audit.security_title", "audit", data))
}

// handleAPISecurityEvents returns security events to the auditor.
func (s *Server) handleAPISecurityEvents(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	f, err := securityFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	events, total, err := s.Audit.FindSecurityEvents(r.Context(), actor.Audit(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	pf := audit.Filter{Page: f.Page, PerPage: f.PerPage}
	pf.Normalize()
	if events == nil {
		events = []audit.SecurityEvent{}
	}
	writeJSON(w, http.StatusOK, listResponse[audit.SecurityEvent]{Total: total, Page: pf.Page, PerPage: pf.PerPage, Items: events})
}

// handleAPIAuditVerification returns the last verification of the chain
// (GET) or runs one now (POST), for the auditor.
func (s *Server) handleAPIAuditVerification(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	if r.Method == http.MethodPost {
		v, err := s.Audit.Verify(r.Context(), actor.Audit())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, v)
		return
	}
	v, err := s.Audit.LastVerification(r.Context(), actor.Audit())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// recordDenied counts a 403 answer (or a CSRF failure) as a security event.
// Its write failing must not change the answer.
func (s *Server) recordDenied(r *http.Request, err error) {
	if s.Audit == nil {
		return
	}
	kind := audit.EventForbidden
	if e := apperr.As(err); e != nil && e.Key == "csrf.invalid" {
		kind = audit.EventCSRF
	}
	who := state(r).actor.Audit()
	if who.ID == 0 {
		who.Role = "anonymous"
	}
	if err := s.Audit.RecordDenied(r.Context(), kind, who, r.Method+" "+r.URL.Path); err != nil {
		s.Logger.Warn("record security event", "request_id", state(r).id, "err", err)
	}
}
