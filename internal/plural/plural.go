// Package plural writes counts with their nouns in English ("1 page",
// "3 pages"), so every message in ssowiz agrees with its number.
package plural

import "strconv"

// Count is n followed by noun, with an "s" added unless n is 1: "1 user",
// "0 users", "12 users". For nouns whose plural is not noun+"s", use Of.
func Count(n int, noun string) string {
	return Of(n, noun, noun+"s")
}

// Of is n followed by one when n is 1 and by many otherwise: "1 entry",
// "2 entries".
func Of(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
