package cultivation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"kechuang/internal/i18n"
)

// Quantity is a threshold as written in a rule file. It accepts a JSON
// number or a string with the units the official texts use, so that a file
// reads like the policy: "5000万" and "2亿" are amounts in 元, "5%" is the
// fraction 0.05. Plain numbers are taken as they are (persons, days, points,
// fractions).
type Quantity float64

// UnmarshalJSON implements json.Unmarshaler.
func (q *Quantity) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] != '"' {
		var f float64
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("quantity: %w", err)
		}
		*q = Quantity(f)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("quantity: %w", err)
	}
	f, err := parseQuantity(s)
	if err != nil {
		return err
	}
	*q = Quantity(f)
	return nil
}

func parseQuantity(s string) (float64, error) {
	s = strings.TrimSpace(s)
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "%"):
		s, mult = strings.TrimSuffix(s, "%"), 0.01
	case strings.HasSuffix(s, "亿"):
		s, mult = strings.TrimSuffix(s, "亿"), 1e8
	case strings.HasSuffix(s, "万"):
		s, mult = strings.TrimSuffix(s, "万"), 1e4
	case strings.HasSuffix(s, "元"):
		s = strings.TrimSuffix(s, "元")
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("quantity %q: want a number, optionally ending in %%, 万, 亿 or 元", s)
	}
	// Multiplying 0.05 by 0.01-style factors leaves float noise (5*0.01 =
	// 0.05000000000000000277); rounding to 12 significant places keeps
	// "5%" equal to the 0.05 a ratio computes, so boundaries stay inclusive.
	return roundSig(f * mult), nil
}

func roundSig(f float64) float64 {
	if f == 0 {
		return 0
	}
	s := strconv.FormatFloat(f, 'g', 12, 64)
	r, _ := strconv.ParseFloat(s, 64)
	return r
}

// Points is a score in a rule file: a number, or [low, high] where experts
// choose a point inside the range (高企 创新能力评价).
type Points struct {
	Min, Max float64
}

// UnmarshalJSON implements json.Unmarshaler.
func (p *Points) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var r []float64
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("points: %w", err)
		}
		if len(r) != 2 || r[0] > r[1] {
			return errors.New("points: want a number or [low, high] with low <= high")
		}
		p.Min, p.Max = r[0], r[1]
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("points: %w", err)
	}
	p.Min, p.Max = f, f
	return nil
}

// Unit says how a value is shown to the user.
type Unit uint8

// Units of metric values.
const (
	UnitNone Unit = iota
	UnitYuan
	UnitRatio
	UnitPersons
	UnitCount
	UnitDays
	UnitYears
	UnitPoints
	UnitRank
)

// appendValue writes v the way the official texts write it: ¥36万, 3.2%,
// 12人. It never fails: infinities (a ratio over zero) print as "∞".
func appendValue(b []byte, v float64, u Unit) []byte {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return append(b, "∞"...)
	}
	switch u {
	case UnitYuan:
		if v < 0 {
			b = append(b, '-')
			v = -v
		}
		b = append(b, "¥"...)
		switch {
		// Precise to the 元, so that a figure one 元 short of 2亿 does not
		// print as 2亿.
		case v >= 1e8:
			b = appendTrim(b, v/1e8, 8)
			return append(b, "亿"...)
		case v >= 1e4:
			b = appendTrim(b, v/1e4, 4)
			return append(b, "万"...)
		default:
			b = appendTrim(b, v, 2)
			return append(b, "元"...)
		}
	case UnitRatio:
		b = appendTrim(b, v*100, 2)
		return append(b, '%')
	case UnitPersons:
		b = appendTrim(b, v, 1)
		return append(b, "人"...)
	case UnitCount:
		b = appendTrim(b, v, 2)
		return append(b, "项"...)
	case UnitDays:
		b = appendTrim(b, v, 0)
		return append(b, "天"...)
	case UnitYears:
		b = appendTrim(b, v, 1)
		return append(b, "年"...)
	case UnitPoints:
		b = appendTrim(b, v, 1)
		return append(b, "分"...)
	case UnitRank:
		b = append(b, "第"...)
		b = appendTrim(b, v, 0)
		return append(b, "名"...)
	}
	return appendTrim(b, v, 4)
}

// appendTrim formats f with at most prec decimals and no trailing zeros.
func appendTrim(b []byte, f float64, prec int) []byte {
	start := len(b)
	b = strconv.AppendFloat(b, f, 'f', prec, 64)
	if prec > 0 {
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
		if b[len(b)-1] == '.' {
			b = b[:len(b)-1]
		}
	}
	if string(b[start:]) == "-0" {
		b = append(b[:start], '0')
	}
	return b
}

// appendValueEN writes v the way an English page writes it: ¥360K, 3.2%,
// 12 persons. Amounts keep every 元, as appendValue does.
func appendValueEN(b []byte, v float64, u Unit) []byte {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return append(b, "∞"...)
	}
	plural := func(b []byte, one, many string) []byte {
		if v == 1 {
			return append(b, one...)
		}
		return append(b, many...)
	}
	switch u {
	case UnitYuan:
		return i18n.AppendYuanEN(b, v, true)
	case UnitRatio:
		b = appendTrim(b, v*100, 2)
		return append(b, '%')
	case UnitPersons:
		b = appendTrim(b, v, 1)
		return plural(b, " person", " persons")
	case UnitCount:
		b = appendTrim(b, v, 2)
		return plural(b, " item", " items")
	case UnitDays:
		b = appendTrim(b, v, 0)
		return plural(b, " day", " days")
	case UnitYears:
		b = appendTrim(b, v, 1)
		return plural(b, " year", " years")
	case UnitPoints:
		b = appendTrim(b, v, 1)
		return plural(b, " point", " points")
	case UnitRank:
		b = append(b, "No. "...)
		return appendTrim(b, v, 0)
	}
	return appendTrim(b, v, 4)
}

// appendValueIn is appendValue in Chinese and appendValueEN in English.
func appendValueIn(b []byte, v float64, u Unit, en bool) []byte {
	if en {
		return appendValueEN(b, v, u)
	}
	return appendValue(b, v, u)
}

// isEN reports whether lang asks for the English texts.
func isEN(lang string) bool { return lang == i18n.English }

func formatValueIn(v float64, u Unit, en bool) string {
	var buf [32]byte
	return string(appendValueIn(buf[:0], v, u, en))
}

func formatValue(v float64, u Unit) string {
	var buf [32]byte
	return string(appendValue(buf[:0], v, u))
}
