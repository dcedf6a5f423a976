/// The formula pipeline: source → tokens → tree → checked tree → compiled formula → value.
public enum Formula {}
