module github.com/gongyak/gongyak/services/indicator

go 1.26.0
