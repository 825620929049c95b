"""IP enrichment: what an address is (AWS service and region, another cloud, a known scanner,
private / documentation / reserved space), from local data only.

    from workbench.enrich import ip_label, label_ip, label_frame
    ip_label("52.95.110.1")          # 'AWS S3 · us-east-1'
    label_ip("10.1.2.3").kind        # 'private'
    label_frame(result.frame)        # adds <column>_label beside each address column

The AWS part is a bundled dated snapshot of AWS's ip-ranges.json; `mantissa enrich update` refreshes
it into the workspace when the network allows. A workspace adds its own ranges (its scanners, VPN
egress, partners) in `enrich/known-ips.csv`.
"""

from workbench.enrich.frames import IP_COLUMNS, label_frame
from workbench.enrich.labels import IpInfo, Labeler, ip_label, label_ip, labeler
from workbench.enrich.ranges import RangesError, load_aws_ranges
from workbench.enrich.update import AWS_URL, UpdateError, UpdateResult, update_aws_ranges

__all__ = ["AWS_URL", "IP_COLUMNS", "IpInfo", "Labeler", "RangesError", "UpdateError", "UpdateResult", "ip_label",
           "label_frame", "label_ip", "labeler", "load_aws_ranges", "update_aws_ranges"]
