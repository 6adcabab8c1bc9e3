import { parseNumberConflicts } from './replica-load';

describe('the replica row reads number-allocation conflicts from /metrics', () => {
  const common = [
    '# HELP support_sla_append_conflicts_total Appends refused because the stream had moved on',
    '# TYPE support_sla_append_conflicts_total counter',
    'support_sla_append_conflicts_total{category="ticket"} 7',
  ];

  it('is absent when numbers are not claimed in the store (a local table counts no conflicts)', () => {
    expect(parseNumberConflicts([...common, 'support_sla_append_duration_seconds_count{category="ticket"} 90'].join('\n'))).toBeUndefined();
  });

  it('counts the append conflicts of the claim streams, 0 while none was counted', () => {
    const claims = 'support_sla_append_duration_seconds_count{category="claim"} 120';
    expect(parseNumberConflicts([...common, claims].join('\n'))).toEqual({ total: 0, metrics: ['support_sla_append_conflicts_total{category="claim"}'] });
    expect(parseNumberConflicts([...common, claims, 'support_sla_append_conflicts_total{category="claim"} 12'].join('\n'))?.total).toBe(12);
  });

  it('prefers a metric of its own, summing its samples (a histogram by its sum)', () => {
    const text = [
      ...common,
      'support_sla_ticket_number_conflicts_total{replica="a"} 2',
      'support_sla_ticket_number_conflicts_total{replica="b"} 3',
      'support_sla_ticket_number_retries_bucket{le="1"} 40',
      'support_sla_ticket_number_retries_count 40',
      'support_sla_ticket_number_retries_sum 4',
    ].join('\n');
    expect(parseNumberConflicts(text)).toEqual({ total: 9, metrics: ['support_sla_ticket_number_conflicts_total', 'support_sla_ticket_number_retries_sum'] });
  });
});
