package filter

import "encoding/json"

func cmp(attr string, op Operator, v any) *Compare {
	return &Compare{Path: Path{Attr: attr}, Op: op, Value: v}
}

func num(s string) json.Number { return json.Number(s) }
