package blob

import (
	"net/url"
	"testing"
)

// TestParseS3 checks what each part of an s3 URL sets, where the fake
// service cannot show it (HTTPS, virtual-host addressing).
func TestParseS3(t *testing.T) {
	for _, c := range []struct {
		url  string
		want s3Config
	}{
		{"s3://AK:SK@s3.af-south-1.amazonaws.com/bucket", s3Config{endpoint: "s3.af-south-1.amazonaws.com", accessKey: "AK", secretKey: "SK", bucket: "bucket", secure: true}},
		{"s3://AK:a%2Fb%2Bc%40d@minio.local:9000/bucket/pre/fix/?region=us-east-1&insecure=1", s3Config{endpoint: "minio.local:9000", accessKey: "AK", secretKey: "a/b+c@d", bucket: "bucket", prefix: "pre/fix/", region: "us-east-1"}},
		{"s3://AK:SK@s3.example.org/bucket?virtual=1&insecure=0", s3Config{endpoint: "s3.example.org", accessKey: "AK", secretKey: "SK", bucket: "bucket", secure: true, virtual: true}},
	} {
		u, err := url.Parse(c.url)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseS3(u)
		if err != nil {
			t.Fatalf("parseS3(%q): %v", c.url, err)
		}
		if got != c.want {
			t.Errorf("parseS3(%q) = %+v, want %+v", c.url, got, c.want)
		}
	}
}
