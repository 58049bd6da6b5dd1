module github.com/tinyland-inc/gf-enrollment

go 1.26.8
