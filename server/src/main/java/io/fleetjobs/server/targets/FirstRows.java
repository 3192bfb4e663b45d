package io.fleetjobs.server.targets;

import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collector;

/**
 * Keeps the values of the first {@code limit} rows of a result and drops the rest as they arrive, so a dry run
 * of a large SELECT holds a few rows, not the table. For the engines on the Vert.x SQL clients; see
 * {@link DryRunRecord}.
 */
public final class FirstRows implements Collector<Row, List<List<Object>>, List<List<Object>>> {
  private final int limit;

  public FirstRows(int limit) {
    this.limit = limit;
  }

  @Override
  public Supplier<List<List<Object>>> supplier() {
    return ArrayList::new;
  }

  @Override
  public BiConsumer<List<List<Object>>, Row> accumulator() {
    return (kept, row) -> {
      if (kept.size() < limit) {
        List<Object> values = new ArrayList<>(row.size());
        for (int i = 0; i < row.size(); i++) {
          values.add(row.getValue(i));
        }
        kept.add(values);
      }
    };
  }

  @Override
  public BinaryOperator<List<List<Object>>> combiner() {
    return (a, b) -> {
      a.addAll(b.subList(0, Math.min(b.size(), Math.max(0, limit - a.size()))));
      return a;
    };
  }

  @Override
  public Function<List<List<Object>>, List<List<Object>>> finisher() {
    return List::copyOf;
  }

  @Override
  public Set<Characteristics> characteristics() {
    return Set.of();
  }
}
