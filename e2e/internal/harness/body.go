package harness

import "strings"

// Body is a JSON object as an answer of the gateway holds it, decoded.
type Body map[string]any

// Get is the value at a dotted path of the body ("pledge.name"), nil
// where there is none.
func (b Body) Get(path string) any {
	var cur any = map[string]any(b)
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

// Str is the string at a dotted path of the body, "" where there is none.
func (b Body) Str(path string) string {
	s, _ := b.Get(path).(string)
	return s
}
