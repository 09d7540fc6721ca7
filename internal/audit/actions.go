package audit

import (
	"regexp"
	"sort"
	"sync"
)

// The registry of actions. Every action a package records is registered
// once, at start-up, by that package (an init calling RegisterActions), so
// that the auditor's page can offer them all in its filter and a test can
// check that each has a name in the catalogs (audit.action.<action>).
// Record refuses an unregistered action: a row the auditor could not read
// by name is a programmer error, found by the tests.
var (
	actionsMu sync.RWMutex
	actions   = map[string]bool{}
)

var actionPattern = regexp.MustCompile(`^[a-z][a-z_]*\.[a-z][a-z_-]*$`)

// RegisterActions registers action names ("object.verb"). It panics on a
// malformed name: a programmer error found at start-up.
func RegisterActions(names ...string) {
	actionsMu.Lock()
	defer actionsMu.Unlock()
	for _, n := range names {
		if !actionPattern.MatchString(n) {
			panic("audit: malformed action name " + n)
		}
		actions[n] = true
	}
}

// Registered reports whether action was registered.
func Registered(action string) bool {
	actionsMu.RLock()
	defer actionsMu.RUnlock()
	return actions[action]
}

// Actions returns every registered action, sorted.
func Actions() []string {
	actionsMu.RLock()
	defer actionsMu.RUnlock()
	out := make([]string, 0, len(actions))
	for a := range actions {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

func init() {
	RegisterActions("audit.verify", "audit.export")
}
