# Drives the OASIS reference TAXII client (taxii2-client, v21 API) against a
# running Harambee server; TestTaxii2Client runs it when HARAMBEE_TAXII2CLIENT
# names a directory holding the taxii2client package and its imports.
import json, sys, uuid, datetime
from taxii2client.v21 import Server, Collection, as_pages
base, user, token = sys.argv[1], sys.argv[2], sys.argv[3]
srv = Server(base + "/taxii2/", user=user, password=token)
print("discovery:", srv.title, [r.url for r in srv.api_roots])
root = srv.api_roots[0]
print("api root:", root.title, root.versions, root.max_content_length)
cols = root.collections
for c in cols:
    print(" collection", c.id, c.title, "read", c.can_read, "write", c.can_write)
w = [c for c in cols if c.can_write]
if not w:
    sys.exit("no writable collection")
c = w[-1]
now = datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"
ind = {"type": "indicator", "spec_version": "2.1", "id": "indicator--" + str(uuid.uuid4()), "created": now, "modified": now,
       "name": "taxii2-client check", "pattern": "[ipv4-addr:value = '198.51.100.7']", "pattern_type": "stix", "valid_from": now}
bundle = {"objects": [ind]}
st = c.add_objects(json.dumps(bundle), wait_for_completion=True, poll_interval=1, timeout=30)
print("status:", st.status, st.success_count, st.failure_count, st.pending_count)
got = c.get_object(ind["id"])
print("get_object:", [o["id"] for o in got.get("objects", [])])
print("versions:", c.object_versions(ind["id"]).get("versions"))
print("manifest:", len(c.get_manifest().get("objects", [])))
n = 0
for env in as_pages(c.get_objects, per_request=2):
    n += len(env.get("objects", []))
print("paged objects:", n)
print("added_after past:", len(c.get_objects(added_after="2000-01-01T00:00:00Z").get("objects", [])))
print("added_after future:", len(c.get_objects(added_after="2999-01-01T00:00:00Z").get("objects", [])))
c.delete_object(ind["id"])
try:
    c.get_object(ind["id"])
    print("delete: still there")
except Exception as e:
    print("delete: gone", type(e).__name__)

# MISP's TAXII push (app/files/scripts/taxii/taxii_push.py in MISP) does
# this: API root URL and collection URL without trailing slashes, Basic
# auth through requests, envelopes as bytes sized by max_content_length,
# add_objects without waiting for completion.
import taxii2client
from requests.auth import HTTPBasicAuth
api_root_url = base + "/taxii2/" + root.url.rstrip("/").rsplit("/", 1)[1]
auth = HTTPBasicAuth(user, token)
with taxii2client.ApiRoot(api_root_url, auth=auth) as r:
    limit = r.max_content_length
now = datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"
ind2 = dict(ind, id="indicator--" + str(uuid.uuid4()), created=now, modified=now, valid_from=now, name="MISP-style push")
body = ('{"objects":[' + json.dumps(ind2) + ']}').encode("utf-8")
assert len(body) < limit
with taxii2client.Collection(api_root_url + "/collections/" + c.id, auth=auth) as mc:
    st = mc.add_objects(body, wait_for_completion=False)
    print("misp push:", st.status, st.failure_count)
print("misp object:", [o["id"] for o in c.get_object(ind2["id"]).get("objects", [])] == [ind2["id"]])
