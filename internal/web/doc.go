// Package web translates HTTP into calls on the domain services and their
// results into HTML pages or JSON. It decides no permissions: every service
// method receives the request's account.Actor and decides itself.
//
// Layout: server.go wires routes and middleware; request.go and response.go
// hold request parsing and response writing; one file per page or action,
// named <module>_<action>.go, with its template at templates/<name>.html;
// api_*.go for the JSON API under /api/v1, described by openapi.json (a
// test checks the document against the registered routes).
//
// Nothing imports web except cmd/kechuang.
package web
