package blob_test

import (
	"strings"
	"testing"

	"harambee.africa/harambee/internal/blob"
)

// TestOpenRefuses checks that Open refuses what is no blob URL, names the
// accepted forms, and never repeats the secret.
func TestOpenRefuses(t *testing.T) {
	for _, c := range []struct{ name, url, says string }{
		{"UnknownScheme", "ftp://host/bucket", `unknown scheme "ftp"`},
		{"NoScheme", "/var/lib/blobs", `unknown scheme ""`},
		{"HTTP", "https://" + secret + "@s3.example.org/bucket", `unknown scheme "https"`},
		{"FileRelative", "file:blobs", "absolute path"},
		{"FileHost", "file://server/blobs", "absolute path"},
		{"FileQuery", "file:///blobs?x=1", "absolute path"},
		{"NotAURL", "s3://AK:" + secret + "@host:port:bad/bucket", "not a valid URL"},
		{"SlashInSecret", "s3://AK:" + secret + "/x@host/bucket", "not a valid URL"},
		{"NoCredentials", "s3://host/bucket", "access key is missing"},
		{"NoSecret", "s3://AK@host/bucket", "secret key is missing"},
		{"NoHost", "s3://AK:" + secret + "@/bucket", "host is missing"},
		{"NoBucket", "s3://AK:" + secret + "@host", "bucket is missing"},
		{"NoBucketSlash", "s3://AK:" + secret + "@host/", "bucket is missing"},
		{"BadBucket", "s3://AK:" + secret + "@host/Bad_Bucket", "bucket name is not valid"},
		{"BadPrefix", "s3://AK:" + secret + "@host/bucket/a/../b", "prefix"},
		{"UnknownParameter", "s3://AK:" + secret + "@host/bucket?regoin=af-south-1", `unknown parameter "regoin"`},
		{"BadInsecure", "s3://AK:" + secret + "@host/bucket?insecure=perhaps", "insecure must be 1 or 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := blob.Open(t.Context(), c.url, t.TempDir())
			if err == nil {
				t.Fatalf("Open(%q) = %v, want an error", c.url, s)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.says) {
				t.Errorf("error %q does not say %q", msg, c.says)
			}
			if !strings.Contains(msg, "file:///") || !strings.Contains(msg, "s3://ACCESS_KEY:SECRET@host") {
				t.Errorf("error %q does not name the accepted forms", msg)
			}
			if strings.Contains(msg, secret) {
				t.Errorf("error %q holds the secret", msg)
			}
		})
	}
}

// TestOpenS3MissingBucket checks that Open asks the service for the bucket.
func TestOpenS3MissingBucket(t *testing.T) {
	f := newFakeS3(t, "", "")
	if err := f.backend.CreateBucket("other"); err != nil {
		t.Fatal(err)
	}
	_, err := blob.Open(t.Context(), f.url("harambee", ""), "")
	if err == nil {
		t.Fatal("Open of a missing bucket succeeded")
	}
	if msg := err.Error(); !strings.Contains(msg, `bucket "harambee" does not exist`) || strings.Contains(msg, secret) {
		t.Fatalf("error %q: want it to name the missing bucket and not the secret", msg)
	}
}

// TestOpenS3 checks the accepted s3 forms against the fake service.
func TestOpenS3(t *testing.T) {
	f := newFakeS3(t, "media-store", "")
	host := strings.TrimPrefix(f.server.URL, "http://")
	for _, c := range []struct{ url, described string }{
		{"s3://AK:" + secret + "@" + host + "/media-store?insecure=1", "s3 http://" + host + "/media-store/"},
		{"s3://AK:" + secret + "@" + host + "/media-store/?insecure=true&region=af-south-1", "s3 http://" + host + "/media-store/"},
		{"s3://AK:" + secret + "@" + host + "/media-store/a/b/?insecure=1", "s3 http://" + host + "/media-store/a/b/"},
	} {
		s, err := blob.Open(t.Context(), c.url, "")
		if err != nil {
			t.Fatalf("Open(%q): %v", c.url, err)
		}
		if got := s.String(); got != c.described {
			t.Errorf("Open(%q).String() = %q, want %q", c.url, got, c.described)
		}
		put(t, s, "k", []byte("v"))
		if got := read(t, s, "k"); string(got) != "v" {
			t.Errorf("%s: read %q, want %q", c.url, got, "v")
		}
	}
}
