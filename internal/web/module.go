package web

import (
	"html/template"
	"net/http"
	"sort"

	"kechuang/internal/account"
)

// module is one section of the platform as the web layer shows it: its
// pages and API routes, its entry in the navigation and on the home page,
// and who sees that entry. Every section declares itself in one function
// next to its handlers (marketModule in market.go, cultivationModule in
// cultivation.go, …), and modules lists them; nothing else in web names a
// module's routes.
type module struct {
	// Key names the section: its nav label nav.<Key>, its home card text
	// module.<Key>.summary, and the Active key its pages pass to newPage.
	Key string
	// Path is where the nav entry and the home card lead; "" for a section
	// without an entry (the home page, the account pages).
	Path string
	// Order places the entry in the navigation, ascending.
	Order int
	// Card shows the section as a card on the home page.
	Card bool
	// Ready is false for a module whose package does not exist yet: Path
	// then shows a plain "not yet available" page.
	Ready bool
	// Visible reports whether the actor may open Path: only then do the nav
	// entry and the card show. It asks the module's service (or account)
	// and never tests a role itself; nil shows the entry to nobody.
	Visible func(account.Actor) bool
	// Funcs are the template functions the section's pages use.
	Funcs template.FuncMap
	// Routes registers the section's pages and API routes.
	Routes func(*router)
}

// modules are every section of the platform, foundation and modules alike.
// A new module adds its declaration here, in navigation order.
func (s *Server) modules() []module {
	return []module{
		s.homeModule(),
		s.accountModule(),
		s.noticeModule(),
		s.marketModule(),
		s.eventModule(),
		s.cultivationModule(),
		s.projectModule(),
		s.challengeModule(),
		s.chainModule(),
		s.directoryModule(),
		s.federationModule(),
		s.indicatorModule(),
		s.dashboardModule(),
		s.usersModule(),
		s.auditModule(),
	}
}

// everyone and signedIn are the Visible of sections without a service
// predicate of their own.
func everyone(account.Actor) bool   { return true }
func signedIn(a account.Actor) bool { return a.LoggedIn() }

// router registers one module's routes on the server.
type router struct{ s *Server }

// routeOption is something a route declares beside its pattern and
// handler.
type routeOption func(rt *router, pattern string)

// bodyLimit declares that the route accepts request bodies of up to n
// bytes (an upload); every other route's body is capped at maxFormBytes
// before anything reads it.
func bodyLimit(n int64) routeOption {
	return func(rt *router, pattern string) { rt.s.bodyLimits[pattern] = n }
}

func (rt *router) apply(pattern string, opts []routeOption) {
	for _, o := range opts {
		o(rt, pattern)
	}
}

// open registers a page or form target anyone may reach; the handler's
// service calls decide what the actor sees.
func (rt *router) open(pattern string, h http.HandlerFunc, opts ...routeOption) {
	rt.apply(pattern, opts)
	rt.s.mux.HandleFunc(pattern, h)
}

// signedIn registers a page or form target that needs a session: a
// visitor is sent to the login page (a form post or API call gets 401).
func (rt *router) signedIn(pattern string, h http.HandlerFunc, opts ...routeOption) {
	rt.apply(pattern, opts)
	rt.s.mux.HandleFunc(pattern, rt.s.requireLogin(h))
}

// api registers a JSON API route under /api/v1; every one must be in
// openapi.json (a test compares the two).
func (rt *router) api(pattern string, h http.HandlerFunc, opts ...routeOption) {
	rt.apply(pattern, opts)
	rt.s.apiRoutes = append(rt.s.apiRoutes, pattern)
	rt.s.mux.HandleFunc(pattern, h)
}

// handle registers a plain handler (static files, metrics).
func (rt *router) handle(pattern string, h http.Handler) { rt.s.mux.Handle(pattern, h) }

// navItem is one entry of the main navigation or one home card.
type navItem struct {
	Key  string
	Path string
}

// navFor lists the sections the actor may open, in navigation order.
func (s *Server) navFor(a account.Actor) []navItem {
	var out []navItem
	for _, m := range s.mods {
		if m.Path != "" && m.Visible != nil && m.Visible(a) {
			out = append(out, navItem{Key: m.Key, Path: m.Path})
		}
	}
	return out
}

// cardsFor lists the home page cards the actor may open.
func (s *Server) cardsFor(a account.Actor) []navItem {
	var out []navItem
	for _, m := range s.mods {
		if m.Card && m.Visible != nil && m.Visible(a) {
			out = append(out, navItem{Key: m.Key, Path: m.Path})
		}
	}
	return out
}

// sortModules orders the sections by Order, keeping the declaration order
// of equals.
func sortModules(mods []module) {
	sort.SliceStable(mods, func(i, j int) bool { return mods[i].Order < mods[j].Order })
}

// placeholderModule declares a module whose package does not exist yet
// (Ready false), shown to everyone when public, to signed-in users
// otherwise.
func placeholderModule(key string, order int, public bool) module {
	m := module{Key: key, Path: "/" + key, Order: order, Card: true, Visible: signedIn}
	if public {
		m.Visible = everyone
	}
	return m
}

// placeholder registers the plain "not yet available" page of a module
// that is not ready, rather than a fake page: open to whoever sees its
// entry without a session, behind the login page otherwise.
func (rt *router) placeholder(m module) {
	h := func(w http.ResponseWriter, r *http.Request) {
		rt.s.render(w, r, http.StatusOK, "placeholder", rt.s.newPage(r, "nav."+m.Key, m.Key, m))
	}
	if m.Visible != nil && m.Visible(account.Anonymous) {
		rt.open("GET "+m.Path, h)
	} else {
		rt.signedIn("GET "+m.Path, h)
	}
}
