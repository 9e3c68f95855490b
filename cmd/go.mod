module github.com/gongyak/gongyak/cmd

go 1.26.0

require github.com/gongyak/gongyak/pkg v0.0.0

replace github.com/gongyak/gongyak/pkg => ../pkg
