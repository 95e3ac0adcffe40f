package plural

import "testing"

func TestCount(t *testing.T) {
	for _, tc := range []struct {
		n    int
		noun string
		want string
	}{
		{0, "page", "0 pages"},
		{1, "page", "1 page"},
		{2, "page", "2 pages"},
		{-1, "day", "-1 days"},
		{1000, "user", "1000 users"},
	} {
		if got := Count(tc.n, tc.noun); got != tc.want {
			t.Errorf("Count(%d, %q) = %q, want %q", tc.n, tc.noun, got, tc.want)
		}
	}
}

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "0 entries"},
		{1, "1 entry"},
		{7, "7 entries"},
	} {
		if got := Of(tc.n, "entry", "entries"); got != tc.want {
			t.Errorf("Of(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
