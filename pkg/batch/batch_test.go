package batch_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/batch"
)

// TestCheckNamesABadParentAndABadSizeAtOnce: a caller fixes both in one go.
func TestCheckNamesABadParentAndABadSizeAtOnce(t *testing.T) {
	badParent := apierr.Invalid("parent", "must be districts/{district}")
	for _, tt := range []struct {
		name      string
		parentErr error
		n         int
		want      []string // the fields named
	}{
		{"good", nil, 3, nil},
		{"the most", nil, batch.Max, nil},
		{"empty", nil, 0, []string{"requests"}},
		{"too many", nil, batch.Max + 1, []string{"requests"}},
		{"bad parent", badParent, 1, []string{"parent"}},
		{"both", badParent, 0, []string{"parent", "requests"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := batch.Check(tt.parentErr, tt.n)
			var got []string
			var e *apierr.Error
			if errors.As(err, &e) {
				for _, v := range e.Violations {
					got = append(got, v.Field)
				}
			} else if err != nil {
				t.Fatalf("Check = %v, not an INVALID_ARGUMENT", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Check named %v, want %v", got, tt.want)
			}
		})
	}
}
