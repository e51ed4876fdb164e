// A CPU burner: spins until its parent goes away, so the bench nodes compete for the cores.
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'burning' });
const spin = (): void => {
  const until = performance.now() + 50;
  while (performance.now() < until) {
    // busy
  }
  setImmediate(spin); // yield now and then, so the IPC disconnect is seen
};
spin();
