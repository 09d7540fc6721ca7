package analysis

import (
	"bufio"
	"bytes"
	_ "embed"
	"strings"
	"sync"
)

//go:embed dict/stopwords.txt
var stopwordsTxt []byte

var (
	stopOnce sync.Once
	stopSet  map[string]bool
)

// IsStop reports whether w (a word as Tokens returns it: Latin lower-cased)
// is a stop word: a function word or a generic verb or noun of technical
// prose and of market forms (的, 以及, 只能, 低于, 包括, 公司, 成本) that explains
// no match and makes no keyword. The list is dict/stopwords.txt (see
// dict/NOTICE). Ranking does not use it: such words still score, with the
// low idf they earn; they are only never shown as a reason or proposed.
func IsStop(w string) bool {
	stopOnce.Do(func() {
		stopSet = map[string]bool{}
		sc := bufio.NewScanner(bytes.NewReader(stopwordsTxt))
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
				stopSet[l] = true
			}
		}
	})
	return stopSet[w]
}
