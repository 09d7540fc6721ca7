// Package demo loads a demonstration installation: the city of 苏州市
// (320500) with its real counties as the home region, and one account per
// role. It is idempotent: loading again resets the demo accounts' password
// and adds nothing twice.
//
// demo writes through the module services it is given; the home region
// itself is stored by the app through region.Service, the path
// --home-region takes. demo sits above the modules and may import any of
// them; only internal/app (App.LoadDemo) and cmd/kechuang import demo.
package demo
