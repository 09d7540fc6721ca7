// Package app wires the platform: New builds every service from plain
// values (an open database, the data directory, a clock, a logger, the
// password hashing cost and the home region) and Server hands them to the
// web layer. cmd/kechuang (serve, reindex), the web tests and the demo
// loading all go through New, so a module is wired in one place: its
// service is one line in New, stored in a field of web.Deps (which App
// embeds and hands to web.New whole).
//
// app reads no flags, environment or files of its own: cmd/kechuang does
// that and passes the values in. app sits above web and demo and below
// cmd; nothing but cmd/kechuang imports it, and tests of other packages
// (web_test) may, to run on the real wiring.
package app
