package cultivation

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// RunAssessLines reads one enterprise per line (JSONL) from r, assesses each
// against the version of rule set ruleID in force on its as_of, and writes
// one AssessmentResult per line to w, in input order. Blank lines are
// skipped. It stops at the first bad line with an error naming the line
// number; results for the lines before it have been written.
func RunAssessLines(rb *RuleBook, ruleID string, r io.Reader, w io.Writer) error {
	if _, ok := rb.byID[ruleID]; !ok {
		return fmt.Errorf("assess: rule set %q: %w", ruleID, ErrNoRuleSet)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), maxInputBytes)
	bw := bufio.NewWriter(w)
	var buf []byte
	line := 0
	var res AssessmentResult
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		in, err := ParseAssessmentInput(text)
		if err != nil {
			_ = bw.Flush()
			return fmt.Errorf("第%d行：%w", line, err)
		}
		rs, err := rb.Select(ruleID, "", in.AsOf.Time)
		if err != nil {
			_ = bw.Flush()
			return fmt.Errorf("第%d行：%w", line, err)
		}
		AssessInto(&res, rs, &in)
		buf = append(res.AppendJSON(buf[:0]), '\n')
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("assess: write line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		_ = bw.Flush()
		return fmt.Errorf("第%d行之后：读取失败：%w", line, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("assess: write: %w", err)
	}
	return nil
}
