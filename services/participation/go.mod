module github.com/gongyak/gongyak/services/participation

go 1.26.0
