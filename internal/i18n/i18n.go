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
		if k, ok := a.(Key); ok {
			if !copied { // never write into the caller's slice
				args, copied = append([]any(nil), args...), true
			}
			args[i] = T(lang, string(k))
		}
	}
	return fmt.Sprintf(msg, args...)
}

// Key is a message argument that is itself a catalog key, rendered in the
// message's language (a tier or kind named inside an error sentence).
type Key string

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
