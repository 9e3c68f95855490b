module github.com/gongyak/gongyak/services/budget

go 1.26.0
