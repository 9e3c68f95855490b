module github.com/gongyak/gongyak/deploy/helm

go 1.26.0

require go.yaml.in/yaml/v3 v3.0.4
