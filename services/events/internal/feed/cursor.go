package feed

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// cursorPrefix begins every cursor's text, so that a page token of another
// list, or anything else, is not taken for one.
const cursorPrefix = "feed1."

// Cursor is an opaque position in the feed: the stream sequence of the
// last change a reader has seen. A reader resumes after it.
func Cursor(seq uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.FormatUint(seq, 10)))
}

// ParseCursor reads a cursor back into its stream sequence.
func ParseCursor(cursor string) (uint64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, fmt.Errorf("not a cursor of the change feed")
	}
	digits, ok := strings.CutPrefix(string(raw), cursorPrefix)
	if !ok {
		return 0, fmt.Errorf("not a cursor of the change feed")
	}
	seq, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || strconv.FormatUint(seq, 10) != digits {
		return 0, fmt.Errorf("not a cursor of the change feed")
	}
	return seq, nil
}
