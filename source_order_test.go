package linkvault

import (
	"slices"
	"testing"
)

func TestSourceCompare(t *testing.T) {
	got := []Source{
		{File: "b.md", Line: 1, Column: 1},
		{File: "a.md", Line: 3, Column: 9},
		{File: "a.md", Line: 3, Column: 2},
		{File: "a.md", Line: 10, Column: 1},
		{File: "a.md", Line: 3, Column: 2, Text: "second"},
	}
	slices.SortStableFunc(got, Source.Compare)
	want := []Source{
		{File: "a.md", Line: 3, Column: 2},
		{File: "a.md", Line: 3, Column: 2, Text: "second"},
		{File: "a.md", Line: 3, Column: 9},
		{File: "a.md", Line: 10, Column: 1},
		{File: "b.md", Line: 1, Column: 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("sorted = %v, want %v", got, want)
	}
}
