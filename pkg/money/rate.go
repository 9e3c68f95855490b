package money

import (
	"fmt"
	"math/big"
)

// Rate writes num ÷ den (neither negative) as a percent with two decimals,
// rounded half up and computed exactly, as every rate of the suite is
// written (확보율, 집행률, 선정률, 완료율); "" when den is 0, because there
// is no rate then, not a rate of zero. It may pass 100: a rate of more
// secured than planned is what the figures say.
func Rate(num, den int64) string {
	if den == 0 {
		return ""
	}
	n := new(big.Int).Mul(big.NewInt(num), big.NewInt(10_000))
	d := big.NewInt(den)
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	if new(big.Int).Mul(r, big.NewInt(2)).CmpAbs(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	whole, frac := new(big.Int).QuoRem(q, big.NewInt(100), new(big.Int))
	return fmt.Sprintf("%s.%02d", whole, frac.Int64())
}
