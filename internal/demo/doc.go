// Package demo loads a demonstration installation: the city of 苏州市
// (320500) with its real counties as the home region, and one account per
// role. It is idempotent: loading again resets the demo accounts' password
// and adds nothing twice.
//
// demo sits above the modules and may import any of them; only
// cmd/kechuang imports demo.
package demo
