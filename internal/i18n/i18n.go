package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// The supported languages. Chinese is the default.
const (
	Chinese = "zh-CN"
	English = "en"
)

// Languages lists the supported languages, default first.
var Languages = []string{Chinese, English}

//go:embed catalog/*.json
var catalogFS embed.FS

var catalogs = mustLoad()

func mustLoad() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, lang := range Languages {
		b, err := catalogFS.ReadFile("catalog/" + lang + ".json")
		if err != nil {
			panic(fmt.Sprintf("i18n: catalog %s: %v", lang, err))
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: catalog %s: %v", lang, err))
		}
		out[lang] = m
	}
	return out
}

// Normalize maps a language tag or Accept-Language value to a supported
// language, defaulting to Chinese.
func Normalize(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if strings.HasPrefix(tag, "en") {
		return English
	}
	return Chinese
}

// T returns the message for key in lang, formatted with args. A key missing
// in lang falls back to Chinese, then to the key itself, so a missing
// translation shows up as a visible key rather than an empty string.
func T(lang, key string, args ...any) string {
	msg, ok := catalogs[lang][key]
	if !ok {
		msg, ok = catalogs[Chinese][key]
		if !ok {
			return key
		}
	}
	if len(args) == 0 {
		return msg
	}
	copied := false
	for i, a := range args {
		var s string
		switch a := a.(type) {
		case Key:
			s = T(lang, string(a))
		case Pair:
			s = a.In(lang)
		default:
			continue
		}
		if !copied { // never write into the caller's slice
			args, copied = append([]any(nil), args...), true
		}
		args[i] = s
	}
	return fmt.Sprintf(msg, args...)
}

// Key is a message argument that is itself a catalog key, rendered in the
// message's language (a tier or kind named inside an error sentence).
type Key string

// Pair is a message argument written in both languages outside the
// catalogs (a condition name from a rule file), rendered in the message's
// language.
type Pair struct{ Chinese, English string }

// In returns the text in lang: the English in English when there is one,
// else the Chinese.
func (p Pair) In(lang string) string {
	if lang == English && p.English != "" {
		return p.English
	}
	return p.Chinese
}

// String is the Chinese, for logs.
func (p Pair) String() string { return p.Chinese }

// Has reports whether key exists in the Chinese catalog.
func Has(key string) bool {
	_, ok := catalogs[Chinese][key]
	return ok
}

// Keys returns the sorted keys of lang's catalog.
func Keys(lang string) []string {
	keys := make([]string, 0, len(catalogs[lang]))
	for k := range catalogs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
