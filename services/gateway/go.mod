module github.com/gongyak/gongyak/services/gateway

go 1.26.0
