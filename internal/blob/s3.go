package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// S3 keeps blobs as objects in a bucket of an S3-compatible service (AWS S3,
// MinIO, Ceph, Garage, …), each key under an optional prefix. Make one with
// Open.
type S3 struct {
	client *minio.Client
	cfg    s3Config
}

// s3Config is what an s3:// blob URL says.
type s3Config struct {
	endpoint  string // host[:port]
	accessKey string
	secretKey string
	bucket    string
	prefix    string // "" or ending in "/"
	region    string // "" lets the client ask the service
	secure    bool   // HTTPS
	virtual   bool   // bucket.host addressing instead of host/bucket
}

// unknownSizePart is the part size of uploads of unknown size (minio-go's
// smallest, and its default for known sizes): such an object up to this
// size goes in one request; a larger one holds about two parts in memory and
// may reach 10,000 parts, about 156 GiB. (minio-go's default part for
// unknown sizes would be a buffer of 512 MiB.)
const unknownSizePart = 16 << 20

// parseS3 reads s3://ACCESS_KEY:SECRET@host[:port]/bucket[/prefix]?region=…&insecure=1&virtual=1.
// Its errors name no part of the URL, which may hold the secret.
func parseS3(u *url.URL) (s3Config, error) {
	var cfg s3Config
	if u.User == nil || u.User.Username() == "" {
		return cfg, errors.New("s3: the access key is missing")
	}
	secret, ok := u.User.Password()
	if !ok || secret == "" {
		return cfg, errors.New("s3: the secret key is missing")
	}
	cfg.accessKey, cfg.secretKey = u.User.Username(), secret
	if u.Host == "" {
		return cfg, errors.New("s3: the host is missing")
	}
	cfg.endpoint = u.Host
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if bucket == "" {
		return cfg, errors.New("s3: the bucket is missing")
	}
	if err := s3utils.CheckValidBucketNameStrict(bucket); err != nil {
		return cfg, errors.New("s3: the bucket name is not valid")
	}
	cfg.bucket = bucket
	if prefix = strings.Trim(prefix, "/"); prefix != "" {
		for part := range strings.SplitSeq(prefix, "/") {
			if part == "" || part == "." || part == ".." {
				return cfg, errors.New("s3: the prefix has an empty, \".\" or \"..\" part")
			}
		}
		cfg.prefix = prefix + "/"
	}
	cfg.secure = true
	for name, values := range u.Query() {
		v := values[len(values)-1]
		switch name {
		case "region":
			cfg.region = v
		case "insecure", "virtual":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return cfg, fmt.Errorf("s3: %s must be 1 or 0", name)
			}
			if name == "insecure" {
				cfg.secure = !b
			} else {
				cfg.virtual = b
			}
		default:
			return cfg, fmt.Errorf("s3: unknown parameter %q (known: region, insecure, virtual)", name)
		}
	}
	return cfg, nil
}

// openS3 connects to the service and checks that the bucket exists.
func openS3(ctx context.Context, cfg s3Config) (*S3, error) {
	lookup := minio.BucketLookupPath
	if cfg.virtual {
		lookup = minio.BucketLookupDNS
	}
	client, err := minio.New(cfg.endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.accessKey, cfg.secretKey, ""),
		Secure:       cfg.secure,
		Region:       cfg.region,
		BucketLookup: lookup,
	})
	s := &S3{client: client, cfg: cfg}
	if err != nil {
		return nil, fmt.Errorf("blob: %s: %w", s, err)
	}
	ok, err := client.BucketExists(ctx, cfg.bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: %s: cannot reach the bucket: %w", s, err)
	}
	if !ok {
		return nil, fmt.Errorf("blob: %s: bucket %q does not exist; create it first", s, cfg.bucket)
	}
	return s, nil
}

// String describes the store without its credentials.
func (s *S3) String() string {
	scheme := "https"
	if !s.cfg.secure {
		scheme = "http"
	}
	return fmt.Sprintf("s3 %s://%s/%s/%s", scheme, s.cfg.endpoint, s.cfg.bucket, s.cfg.prefix)
}

// Put uploads r as the object of key. The service makes the object visible
// only once the upload completes; a failed upload leaves the old one.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("blob: put: %w", err)
	}
	if size < 0 {
		// Most uploads are small: read up to one part, and if that is all,
		// send it in one request like an upload of known size.
		var head bytes.Buffer
		n, err := io.CopyN(&head, r, unknownSizePart+1)
		if err != nil && err != io.EOF {
			return fmt.Errorf("blob: put %s: %w", key, err)
		}
		if n <= unknownSizePart {
			r, size = &head, n
		} else {
			r = io.MultiReader(&head, r)
		}
	}
	opts := minio.PutObjectOptions{
		ContentType: contentType,
		// An empty body needs no streaming signature, with which minio-go
		// sends it chunked, without the Content-Length some services require.
		DisableContentSha256: size == 0,
	}
	if size < 0 {
		opts.PartSize = unknownSizePart
	}
	if _, err := s.client.PutObject(ctx, s.cfg.bucket, s.cfg.prefix+key, r, size, opts); err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	return nil
}

// Open stats the object of key (GetObject alone would not notice a missing
// key before the first read) and returns it; reads and seeks fetch ranges,
// under ctx, which must last as long as the object is read.
func (s *S3) Open(ctx context.Context, key string) (Object, error) {
	if err := checkKey(key); err != nil {
		return nil, fmt.Errorf("blob: open: %w", err)
	}
	obj, err := s.client.GetObject(ctx, s.cfg.bucket, s.cfg.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", key, err)
	}
	info, err := obj.Stat()
	if err != nil {
		obj.Close()
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			err = fmt.Errorf("%w (%w)", fs.ErrNotExist, err)
		}
		return nil, fmt.Errorf("blob: open %s: %w", key, err)
	}
	return &s3Object{Object: obj, size: info.Size}, nil
}

// Delete removes the object of key; S3 answers a missing key with success.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("blob: delete: %w", err)
	}
	err := s.client.RemoveObject(ctx, s.cfg.bucket, s.cfg.prefix+key, minio.RemoveObjectOptions{})
	if err != nil && minio.ToErrorResponse(err).Code != minio.NoSuchKey {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

// s3Object is an object whose size Open learned.
type s3Object struct {
	*minio.Object
	size int64
}

func (o *s3Object) Size() int64 { return o.size }
