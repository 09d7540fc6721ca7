package web

import (
	"kechuang/internal/i18n"
	"kechuang/internal/market"
)

// bandLabel names a price or budget band in lang: the reference data's
// Chinese name ("100–500万元"), or in English its bounds written with
// formatWan ("¥1M–¥5M", "under ¥100K", "¥10M and above", "Negotiable").
func bandLabel(lang string, b market.Band) string {
	if lang != i18n.English {
		return b.Name
	}
	switch {
	case b.Code == market.Negotiable:
		return i18n.T(lang, "market.band_negotiable")
	case b.Min <= 0 && b.Max > 0:
		return i18n.T(lang, "market.band_under", formatWan(lang, b.Max))
	case b.Max <= 0:
		return i18n.T(lang, "market.band_above", formatWan(lang, b.Min))
	}
	return formatWan(lang, b.Min) + "–" + formatWan(lang, b.Max)
}

// bandName is bandLabel for a band code; an unknown code is shown as is.
func (s *Server) bandName(lang, code string) string {
	if b, ok := s.Market.Reference().Band(code); ok {
		return bandLabel(lang, b)
	}
	return code
}

// contractTypeLabel names a technology contract type in lang: the
// reference data's Chinese name, or the catalog's English one.
func contractTypeLabel(lang string, t market.ContractType) string {
	if lang == i18n.English && i18n.Has("market.contract_type."+t.Code) {
		return i18n.T(lang, "market.contract_type."+t.Code)
	}
	return t.Name
}
