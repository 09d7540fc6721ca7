// Package web translates HTTP into calls on the domain services and their
// results into HTML pages or JSON. It decides no permissions: every service
// method receives the request's account.Actor and decides itself, and what
// a page offers (nav entries, home cards, buttons) comes from the services'
// predicates (CanViewRegistry, CanSetTargets, …), never from a role test.
//
// Layout:
//   - module.go: the module type and the list of sections (modules); each
//     section declares its routes, nav entry, home card and who sees them
//     in one function next to its handlers: marketModule in market.go,
//     cultivationModule in cultivation.go, accountModule, usersModule,
//     auditModule, homeModule.
//   - server.go wires modules and middleware; request.go, response.go and
//     page.go hold the shared helpers (parsing, problems and downloads,
//     page rendering, pager, charts, region pickers).
//   - One file per page or action, <module>_<action>.go, with its template
//     at templates/<module>/<action>.html (rendered as "<module>/<action>");
//     templates/<module>/_*.html are partials every page may use. The shell
//     (layout, partials, home, error, placeholder) sits at templates/.
//   - api_*.go for the JSON API under /api/v1, described by openapi.json (a
//     test checks the document against the registered routes).
//
// Nothing imports web except internal/app.
package web
