package cognito

import "bytes"

// countElements counts the start tags whose local name is local in an XML
// document, whatever their prefix, skipping comments, CDATA sections,
// processing instructions and declarations. It is a scan, not a parse: the
// response is parsed once, by crewjam. It can only over-count (a
// foreign-namespace element of the same name), which refuses a response; it
// cannot make a response acceptable.
func countElements(doc []byte, local string) int {
	n := 0
	for i := 0; i < len(doc); {
		j := bytes.IndexByte(doc[i:], '<')
		if j < 0 {
			break
		}
		i += j + 1
		rest := doc[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("!--")):
			i += skipPast(rest, "-->")
			continue
		case bytes.HasPrefix(rest, []byte("![CDATA[")):
			i += skipPast(rest, "]]>")
			continue
		case len(rest) > 0 && (rest[0] == '/' || rest[0] == '!' || rest[0] == '?'):
			continue
		}
		end := 0
		for end < len(rest) && !isNameEnd(rest[end]) {
			end++
		}
		name := rest[:end]
		if k := bytes.LastIndexByte(name, ':'); k >= 0 {
			name = name[k+1:]
		}
		if string(name) == local {
			n++
		}
		i += end
	}
	return n
}

func skipPast(b []byte, marker string) int {
	k := bytes.Index(b, []byte(marker))
	if k < 0 {
		return len(b)
	}
	return k + len(marker)
}

func isNameEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '>', '/':
		return true
	}
	return false
}
