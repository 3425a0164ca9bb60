pub mod youth;
pub mod framework;
pub mod policy;
